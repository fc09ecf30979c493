using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Doctor;

/// <summary>One memory request counted towards what the platform needs, and where it was read.</summary>
internal sealed record MemoryRequest(string What, long Bytes, string Source);

/// <summary>The memory the platform's pods request, summed, with what was counted and what could not be read.</summary>
internal sealed record MemoryNeed(long Bytes, IReadOnlyList<MemoryRequest> Requests, IReadOnlyList<string> Unread);

/// <summary>
/// Measures the memory the platform requests, at run time, from the files that declare it: every
/// `resources.requests.memory` in the values files helmfile.yaml lists (custom objects included, such as a
/// CloudNativePG Cluster's), plus the defaults of the pinned charts where the values do not set the same key, plus
/// the requests of kind's own pods (one set per node in kind-config.yaml). Requests are what the scheduler reserves:
/// below their sum some pod stays Pending and Up times out.
/// </summary>
internal static class MemoryRequests
{
    /// <summary>
    /// Requests the pinned charts make when the values leave them out, read from each chart's values.yaml at its pinned
    /// version (the charts are not vendored; every other pinned chart ships `resources: {}`). A chart version not listed
    /// here is reported as unread rather than guessed.
    /// </summary>
    static readonly Dictionary<string, (string Path, string Quantity)[]> ChartDefaults = new()
    {
        ["metallb@0.16.1"] = [],
        ["cert-manager@v1.21.1"] = [],
        ["trust-manager@v0.24.0"] = [],
        ["traefik@40.2.0"] = [],
        ["minio@5.4.0"] = [("resources.requests.memory", "16Gi")],
        ["cloudnative-pg@0.29.0"] = [],
        ["docker-registry@3.0.0"] = [],
    };

    /// <summary>kind's own pods, from the node image's manifests: etcd and two CoreDNS replicas once, kindnet on every node.</summary>
    static readonly (string What, string Quantity, bool PerNode)[] KindPods =
    [
        ("etcd", "100Mi", false),
        ("coredns (2 replicas)", "140Mi", false),
        ("kindnet", "50Mi", true),
    ];

    public static MemoryNeed Measure(string helmfilePath, int kindNodes)
    {
        var requests = new List<MemoryRequest>();
        var unread = new List<string>();
        foreach (var (what, quantity, perNode) in KindPods)
        {
            var count = perNode ? kindNodes : 1;
            requests.Add(new($"{what}{(perNode ? $" x{count} nodes" : "")}", ParseQuantity(quantity)!.Value * count, "kind node image"));
        }

        YamlMappingNode? helmfile = null;
        try { helmfile = Load(File.ReadAllText(helmfilePath)) as YamlMappingNode; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlException) { }
        if (helmfile is null || Child(helmfile, "releases") is not YamlSequenceNode releases)
            return new(requests.Sum(r => r.Bytes), requests, [$"{Path.GetFileName(helmfilePath)} (not readable): only kind's own pods counted"]);

        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(helmfilePath))!;
        foreach (var release in releases.OfType<YamlMappingNode>())
        {
            var name = Scalar(release, "name") ?? "?";
            var chart = Scalar(release, "chart") ?? "";
            var version = Scalar(release, "version");
            var set = new HashSet<string>();
            foreach (var file in (Child(release, "values") as YamlSequenceNode)?.OfType<YamlScalarNode>().Select(s => s.Value!) ?? [])
            {
                var path = Path.Combine(baseDirectory, file);
                YamlNode? values;
                try { values = Load(WithoutTemplates(File.ReadAllText(path))); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlException)
                {
                    unread.Add($"{file} ({(e is YamlException ? "not plain YAML once templates are set aside" : "not readable")})");
                    continue;
                }
                foreach (var (keyPath, quantity) in MemoryRequestsIn(values, ""))
                {
                    set.Add(keyPath);
                    if (ParseQuantity(quantity) is { } bytes) requests.Add(new($"{name}: {keyPath}", bytes, file));
                    else unread.Add($"{file}: {keyPath} = '{quantity}' is not a quantity");
                }
            }
            if (chart.StartsWith('.') || chart.StartsWith('/')) continue; // a local chart: the values hold everything it creates
            var chartName = chart[(chart.LastIndexOf('/') + 1)..];
            if (!ChartDefaults.TryGetValue($"{chartName}@{version}", out var defaults))
            {
                unread.Add($"defaults of chart {chart} {version ?? "(unpinned)"} (not known to the build)");
                continue;
            }
            foreach (var (keyPath, quantity) in defaults.Where(d => !set.Contains(d.Path)))
                requests.Add(new($"{name}: {keyPath}", ParseQuantity(quantity)!.Value, $"chart {chartName} {version} default"));
        }
        return new(requests.Sum(r => r.Bytes), requests, unread);
    }

    /// <summary>Every resources.requests.memory under a node, with its dotted path (list items as [i]).</summary>
    static IEnumerable<(string Path, string Quantity)> MemoryRequestsIn(YamlNode? node, string path)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                if (Child(mapping, "resources") is YamlMappingNode resources && Child(resources, "requests") is YamlMappingNode requests
                    && Child(requests, "memory") is YamlScalarNode { Value: { } memory })
                    yield return (Join(path, "resources.requests.memory"), memory);
                foreach (var (key, value) in mapping.Children)
                    foreach (var found in MemoryRequestsIn(value, Join(path, (key as YamlScalarNode)?.Value ?? "?")))
                        yield return found;
                break;
            case YamlSequenceNode sequence:
                var i = 0;
                foreach (var item in sequence)
                    foreach (var found in MemoryRequestsIn(item, $"{path}[{i++}]"))
                        yield return found;
                break;
        }
    }

    static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>
    /// Go templates set aside so the YAML underneath can be read: a line that is only a template action (an if, a
    /// readFile) goes, an inline action becomes a placeholder string. Requests are plain values in our files.
    /// </summary>
    internal static string WithoutTemplates(string text)
    {
        var lines = text.Split('\n').Where(line => !Regex.IsMatch(line, @"^\s*\{\{.*\}\}\s*$"));
        return Regex.Replace(string.Join('\n', lines), @"\{\{.*?\}\}", "TEMPLATED");
    }

    static YamlNode? Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.FirstOrDefault()?.RootNode;
    }

    static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    static string? Scalar(YamlMappingNode mapping, string key) => (Child(mapping, key) as YamlScalarNode)?.Value;

    static readonly Dictionary<string, double> Suffixes = new()
    {
        [""] = 1, ["k"] = 1e3, ["K"] = 1e3, ["M"] = 1e6, ["G"] = 1e9, ["T"] = 1e12, ["P"] = 1e15,
        ["Ki"] = 1L << 10, ["Mi"] = 1L << 20, ["Gi"] = 1L << 30, ["Ti"] = 1L << 40, ["Pi"] = 1L << 50,
    };

    /// <summary>A Kubernetes quantity (512Mi, 1.5Gi, 1G, 268435456, 1e9) in bytes; null when it is not one.</summary>
    internal static long? ParseQuantity(string text)
    {
        var match = Regex.Match(text.Trim(), @"^(?<n>[0-9]+(\.[0-9]+)?)(?<e>[eE][0-9]+)?(?<s>[KMGTP]i|[kKMGTP])?$");
        if (!match.Success) return null;
        var number = double.Parse(match.Groups["n"].Value + match.Groups["e"].Value, CultureInfo.InvariantCulture);
        return (long)Math.Ceiling(number * Suffixes[match.Groups["s"].Value]);
    }

    public static string Format(long bytes) => bytes >= 1L << 30
        ? $"{bytes / (double)(1L << 30):0.#} GiB"
        : $"{bytes / (double)(1L << 20):0} MiB";
}
