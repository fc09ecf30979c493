using System.Text.RegularExpressions;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;

namespace DataPlatform.Build.KindCluster;

/// <summary>
/// What differs between kind-config.yaml and the running cluster, as sentences a person can act on. A pure function:
/// only what the live nodes show is compared (roles and their counts, node labels, the Kubernetes version a
/// kindest/node:vX.Y.Z image runs, the IP family of the pod CIDRs); anything the cluster does not show (an image
/// digest, an image without a version tag, a label kind-config.yaml no longer sets) is never called a difference.
/// </summary>
internal static partial class ClusterDiff
{
    public static IReadOnlyList<string> Compare(KindConfig desired, IReadOnlyList<LiveNode> live)
    {
        var differences = new List<string>();
        foreach (var role in desired.Nodes.Select(n => n.Role).Concat(live.Select(n => n.Role)).Distinct())
        {
            var wanted = desired.Nodes.Where(n => n.Role == role).ToList();
            var running = live.Where(n => n.Role == role).ToList();
            if (wanted.Count != running.Count)
                differences.Add($"kind-config.yaml asks for {Count(wanted.Count, role)}, the cluster has {Count(running.Count, role)}" +
                                (running.Count > 0 ? $" ({string.Join(", ", running.Select(n => n.Name))})" : ""));
            for (var i = 0; i < wanted.Count; i++)
                if (Paired(desired.Name, role, i, running) is { } node)
                    differences.AddRange(CompareNode(wanted[i], node));
        }
        if (IpFamily(live) is { } family && family != (desired.IpFamily ?? "ipv4"))
            differences.Add($"kind-config.yaml asks for networking.ipFamily {desired.IpFamily ?? "ipv4 (kind's default)"}, the cluster's pod addresses are {family}");
        return differences;
    }

    /// <summary>kind's node names: the first node of a role is &lt;cluster&gt;-&lt;role&gt;, the next ones get 2, 3, ...</summary>
    public static string KindNodeName(string cluster, string role, int index) => $"{cluster}-{role}{(index == 0 ? "" : (index + 1).ToString())}";

    static LiveNode? Paired(string cluster, string role, int index, IReadOnlyList<LiveNode> running) =>
        running.FirstOrDefault(n => n.Name == KindNodeName(cluster, role, index));

    static IEnumerable<string> CompareNode(KindNode wanted, LiveNode node)
    {
        foreach (var (key, value) in wanted.Labels)
        {
            if (!node.Labels.TryGetValue(key, out var actual))
                yield return $"node {node.Name} lacks the label {key}={value} that kind-config.yaml gives it";
            else if (actual != value)
                yield return $"node {node.Name} has the label {key}={actual}, kind-config.yaml says {key}={value}";
        }
        if (ImageVersion(wanted.Image) is { } version && node.KubeletVersion is { } kubelet && !SameVersion(version, kubelet))
            yield return $"node {node.Name} runs Kubernetes {kubelet}, kind-config.yaml asks for the image {wanted.Image} (Kubernetes {version})";
    }

    /// <summary>The Kubernetes version a kind node image is tagged with (kindest/node:v1.36.4@sha256:...), or null when the tag is no version.</summary>
    public static string? ImageVersion(string? image) =>
        image is not null && NodeImageTag().Match(image) is { Success: true } match ? match.Groups["version"].Value : null;

    static bool SameVersion(string tag, string kubelet) => kubelet == tag || kubelet.StartsWith(tag + "+", StringComparison.Ordinal) || kubelet.StartsWith(tag + "-", StringComparison.Ordinal);

    /// <summary>ipv4, ipv6 or dual from the nodes' pod CIDRs; null when no node reports any.</summary>
    static string? IpFamily(IReadOnlyList<LiveNode> live)
    {
        var cidrs = live.SelectMany(n => n.PodCidrs).ToList();
        if (cidrs.Count == 0) return null;
        bool v6 = cidrs.Any(c => c.Contains(':')), v4 = cidrs.Any(c => !c.Contains(':'));
        return v4 && v6 ? "dual" : v6 ? "ipv6" : "ipv4";
    }

    static string Count(int count, string role) => count == 1 ? $"1 {role} node" : $"{count} {role} nodes";

    [GeneratedRegex(@"^[^@]*:(?<version>v\d+\.\d+\.\d+)(@sha256:[0-9a-f]+)?$")]
    private static partial Regex NodeImageTag();
}
