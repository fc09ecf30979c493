using k8s;
using k8s.Models;

namespace DataPlatform.Build.Services;

/// <summary>
/// A node of the running cluster as `kubectl get nodes -o json` shows it: what of kind-config.yaml can be observed.
/// kind names nodes &lt;cluster&gt;-control-plane, &lt;cluster&gt;-worker, &lt;cluster&gt;-worker2, ...; the control plane carries the
/// node-role.kubernetes.io/control-plane label; the kubelet's version is the kindest/node image's tag.
/// </summary>
internal sealed record LiveNode(string Name, string Role, string? KubeletVersion, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> PodCidrs)
{
    public static IReadOnlyList<LiveNode> Parse(string nodeListJson)
    {
        var list = KubernetesJson.Deserialize<V1NodeList>(nodeListJson);
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
