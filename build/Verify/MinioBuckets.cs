using System.Text.RegularExpressions;
using DataPlatform.Build.Platform;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Verify;

/// <summary>The bucket the S3 probe writes to, or why there is none.</summary>
internal sealed record ProbeBucket(string? Name, string Explanation);

/// <summary>
/// Finds the MinIO values file among the releases' values (the one that declares `buckets:`), and from it the bucket
/// the probe's login may write to: the root user (`rootUser`) may write to any bucket, another user to the buckets
/// its policy's statements name. The values are helmfile templates; only `requiredEnv`/`env` are rendered (from the
/// same variables helmfile gets), anything else becomes a placeholder, which is enough to read this structure.
/// </summary>
internal static partial class MinioBuckets
{
    [GeneratedRegex(@"\{\{-?\s*(?:requiredEnv|env)\s+""(?<name>[A-Za-z_][A-Za-z0-9_]*)""\s*(?<quote>\|\s*quote\s*)?-?\}\}")]
    private static partial Regex EnvAction();

    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex AnyAction();

    const string Placeholder = "TEMPLATED";

    public static ProbeBucket Choose(string helmfilePath, string accessKey, Func<string, string?> variable)
    {
        var declaring = ValuesFiles(helmfilePath).Select(path => (Path: path, Root: Read(path, variable)))
            .Where(v => Sequence(v.Root, "buckets") is not null).ToList();
        if (declaring.Count == 0)
            return new(null, $"no values file of {Path.GetFileName(helmfilePath)}'s releases declares `buckets:` (MinIO's buckets), so there is no bucket to write to");
        var (path, root) = declaring[0];
        var file = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(helmfilePath))!, path);
        var buckets = Sequence(root, "buckets")!.OfType<YamlMappingNode>().Select(b => Scalar(b, "name")).OfType<string>().ToList();
        if (buckets.Count == 0) return new(null, $"{file} declares no bucket with a name under `buckets:`");

        if (Scalar(root!, "rootUser") == accessKey) // non-null: it declares `buckets:`
            return new(buckets[0], $"the first bucket {file} declares (MINIO_ACCESS_KEY is the root user)");

        var user = Sequence(root, "users")?.OfType<YamlMappingNode>().FirstOrDefault(u => Scalar(u, "accessKey") == accessKey);
        if (user is null)
            return new(null, $"MINIO_ACCESS_KEY is neither `rootUser` nor a user's `accessKey` in {file}: run ./build.sh --target=HelmfileApply after changing .env");
        var policyName = Scalar(user, "policy");
        var policy = Sequence(root, "policies")?.OfType<YamlMappingNode>().FirstOrDefault(p => Scalar(p, "name") == policyName);
        var resources = (Sequence(policy, "statements") ?? []).OfType<YamlMappingNode>()
            .SelectMany(s => Sequence(s, "resources") ?? []).OfType<YamlScalarNode>().Select(r => r.Value).OfType<string>().ToList();
        var writable = buckets.FirstOrDefault(b => resources.Contains("arn:aws:s3:::*") || resources.Contains($"arn:aws:s3:::{b}/*"));
        return writable is null
            ? new(null, $"the policy `{policyName}` of MINIO_ACCESS_KEY's user in {file} names none of the buckets {string.Join(", ", buckets)}")
            : new(writable, $"a bucket policy `{policyName}` lets MINIO_ACCESS_KEY write to ({file})");
    }

    /// <summary>The values files helmfile.yaml's releases list, relative to helmfile.yaml's folder.</summary>
    static IEnumerable<string> ValuesFiles(string helmfilePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(helmfilePath))!;
        // helmfile.yaml was validated before any task ran; a problem here only means there is nothing to read.
        var root = YamlFile.Read(helmfilePath, [], "helmfile.yaml") as YamlMappingNode;
        var releases = Sequence(root, "releases") ?? [];
        return releases.OfType<YamlMappingNode>().SelectMany(r => Sequence(r, "values") ?? []).OfType<YamlScalarNode>()
            .Select(v => v.Value).OfType<string>()
            .Select(v => Path.Combine(directory, v)).Where(File.Exists).Distinct();
    }

    static YamlMappingNode? Read(string path, Func<string, string?> variable)
    {
        var text = EnvAction().Replace(File.ReadAllText(path), m =>
            m.Groups["quote"].Success ? Quote(variable(m.Groups["name"].Value) ?? "") : variable(m.Groups["name"].Value) ?? "");
        // A line that is nothing but template actions usually expands to a block; it cannot hold what we read.
        var lines = text.Split('\n').Where(l => l.Trim().Length == 0 || AnyAction().Replace(l, "").Trim().Length > 0)
            .Select(l => AnyAction().Replace(l, Placeholder));
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(string.Join('\n', lines)));
            return stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode;
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return null; // not a file we can read structurally; it is not the one that declares MinIO's buckets
        }
    }

    static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    static YamlSequenceNode? Sequence(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node as YamlSequenceNode : null;

    static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? (node as YamlScalarNode)?.Value : null;
}
