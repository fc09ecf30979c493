namespace DataPlatform.Build.Tests.Platform;

/// <summary>Reads the plain KEY=VALUE format of .env (comments start with #; no export, no quoting).</summary>
internal static class DotEnv
{
    public static IReadOnlyDictionary<string, string> Load(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (line, number) in File.ReadLines(path).Select((l, i) => (l.Trim(), i + 1)))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var equals = line.IndexOf('=');
            Assert.True(equals > 0, $"{path}:{number}: expected KEY=VALUE, got '{line}'");
            var key = line[..equals];
            Assert.Matches("^[A-Z][A-Z0-9_]*$", key);
            Assert.True(values.TryAdd(key, line[(equals + 1)..]), $"{path}:{number}: {key} is declared twice");
        }

        return values;
    }
}
