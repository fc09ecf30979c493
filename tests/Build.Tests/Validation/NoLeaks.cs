using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Tests.Validation;

/// <summary>What no problem shown to a user may contain: .NET's names for things, or a secret's value.</summary>
static class NoLeaks
{
    static readonly string[] DotNetWords = ["System.", "DataPlatform.", "Exception", "YamlDotNet", "   at "];

    public static void Assert(IEnumerable<ConfigProblem> problems, IEnumerable<string> secrets)
    {
        var secretValues = secrets.Where(s => s.Length >= 4).ToList();
        foreach (var text in problems.Select(p => p.ToString()))
        {
            foreach (var word in DotNetWords)
                Xunit.Assert.False(text.Contains(word, StringComparison.Ordinal), $"a .NET name ('{word}') leaks into: {text}");
            foreach (var secret in secretValues)
                Xunit.Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a secret value leaks into: {text}");
        }
    }

    /// <summary>The raw text after KEY= or KEY: on each line whose key names a secret (quotes and all, and without them).</summary>
    public static IEnumerable<string> SecretsIn(string envText) =>
        envText.ReplaceLineEndings("\n").Split('\n')
            .Select(line => line.Trim())
            .Where(line => !line.StartsWith('#'))
            .Select(line => (Key: line.Split('=', ':')[0].Trim(), Separator: line.IndexOfAny(['=', ':'])))
            .Where(x => x.Separator > 0 && PlatformEnvironment.IsSecretKey(x.Key))
            .SelectMany(x =>
            {
                var line = envText.ReplaceLineEndings("\n").Split('\n').First(l => l.Trim().StartsWith(x.Key, StringComparison.Ordinal) && l.Trim().IndexOfAny(['=', ':']) == x.Separator);
                var raw = line.Trim()[(x.Separator + 1)..].Trim();
                return new[] { raw, raw.Trim('"', '\'') }.Concat(raw.Split(' ', '"', '\'').Where(w => w.Length >= 4));
            });
}
