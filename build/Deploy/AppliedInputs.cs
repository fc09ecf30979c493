using System.Security.Cryptography;
using System.Text;
using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Deploy;

/// <summary>
/// What `helmfile apply` is given, as hashes: each platform file it reads (helmfile.yaml, values/**, charts/**,
/// gateway-api.yaml, the tool pins) and one hash of the variables it receives. Never a value: the variables hold
/// the platform's secrets, so only a hash of all of them together is kept.
/// </summary>
internal sealed record AppliedInputs(IReadOnlyDictionary<string, string> Hashes)
{
    /// <summary>The name the variables' hash goes by among the file names.</summary>
    public const string VariablesKey = "(variables: .env, .env.local, environment, METALLB_IP_RANGE, REGISTRY_HTPASSWD)";

    /// <summary>The files helmfile reads, relative to the clone; directories are taken whole.</summary>
    public static readonly IReadOnlyList<string> Sources = ["helmfile.yaml", "values", "charts", "gateway-api.yaml", "tools.yaml"];

    /// <summary>One hash of every input, in a fixed order.</summary>
    public string Fingerprint => Sha256(string.Concat(Hashes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}\0{kv.Value}\n")));

    /// <summary>The inputs whose hash differs from <paramref name="earlier"/>'s, added or gone ones included.</summary>
    public IReadOnlyList<string> ChangedSince(AppliedInputs earlier) =>
        Hashes.Keys.Union(earlier.Hashes.Keys)
            .Where(key => Hashes.GetValueOrDefault(key) != earlier.Hashes.GetValueOrDefault(key))
            .OrderBy(key => key, StringComparer.Ordinal).ToList();

    public static AppliedInputs Compute(string root, IReadOnlyDictionary<string, string> helmfileEnvironment)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in Sources)
        {
            var path = Path.Combine(root, source);
            if (File.Exists(path)) hashes[source] = HashFile(path);
            else if (Directory.Exists(path))
                foreach (var file in Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
                    hashes[Path.GetRelativePath(root, file).Replace('\\', '/')] = HashFile(file);
        }
        hashes[VariablesKey] = Sha256(string.Concat(helmfileEnvironment.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}\0{kv.Value}\n")));
        return new AppliedInputs(hashes);
    }

    /// <summary>The lines the record in the cluster keeps: "&lt;hash&gt; &lt;input&gt;".</summary>
    public string ToLines() => string.Join('\n', Hashes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}"));

    public static AppliedInputs FromLines(string lines) => new(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => line.Split(' ', 2)).Where(parts => parts.Length == 2)
        .GroupBy(parts => parts[1]).ToDictionary(g => g.Key, g => g.First()[0], StringComparer.Ordinal));

    static string HashFile(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // helmfile would fail on it too; say which file, before anything is applied.
            throw new BuildFailure($"{path} cannot be read ({e.Message}): helmfile apply needs it. Fix its permissions or remove it, then run the same target again.", e);
        }
    }

    static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
