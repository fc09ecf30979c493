using k8s;
using k8s.Models;

namespace DataPlatform.Build.KindCluster;

/// <summary>
/// A node of the running cluster as `kubectl get nodes -o json` shows it: what of kind-config.yaml can be observed.
/// kind names nodes &lt;cluster&gt;-control-plane, &lt;cluster&gt;-worker, &lt;cluster&gt;-worker2, ...; the control plane carries the
/// node-role.kubernetes.io/control-plane label; the kubelet's version is the kindest/node image's tag.
/// </summary>
internal sealed record LiveNode(string Name, string Role, string? KubeletVersion, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> PodCidrs)
{
    /// <param name="command">The command that printed it, named if the output is not a node list.</param>
    public static IReadOnlyList<LiveNode> Parse(string nodeListJson, string command = "kubectl get nodes -o json")
    {
        V1NodeList? list;
        try { list = KubernetesJson.Deserialize<V1NodeList>(nodeListJson); }
        catch (System.Text.Json.JsonException)
        {
            throw Process.ToolOutput.NotUnderstood(command, nodeListJson, "the JSON list of the cluster's nodes",
                "run it yourself to see what prints before the JSON (a proxy's page, a kubectl plugin or wrapper), then run the same target again.");
        }
        return (list?.Items ?? []).Select(From).ToList();
    }

    public static LiveNode From(V1Node node)
    {
        var labels = node.Metadata?.Labels ?? new Dictionary<string, string>();
        var controlPlane = labels.ContainsKey("node-role.kubernetes.io/control-plane") || labels.ContainsKey("node-role.kubernetes.io/master");
        var cidrs = node.Spec?.PodCIDRs ?? (node.Spec?.PodCIDR is { } one ? [one] : []);
        return new LiveNode(node.Metadata?.Name ?? "?", controlPlane ? "control-plane" : "worker",
            node.Status?.NodeInfo?.KubeletVersion, new Dictionary<string, string>(labels), cidrs.ToList());
    }
}
