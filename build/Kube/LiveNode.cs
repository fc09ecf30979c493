using System.Text.Json;
using DataPlatform.Build.Process;

namespace DataPlatform.Build.Kube;

/// <summary>
/// A node of the running cluster as `kubectl get nodes -o json` shows it: what of kind-config.yaml can be observed, and
/// whether it is Ready. kind names nodes &lt;cluster&gt;-control-plane, &lt;cluster&gt;-worker, &lt;cluster&gt;-worker2, ...; the
/// control plane carries the node-role.kubernetes.io/control-plane label; the kubelet's version is the kindest/node
/// image's tag. Read from the API's JSON, not KubernetesClient's V1Node (see <see cref="PlatformCluster.GetJsonAsync"/>).
/// </summary>
internal sealed record LiveNode(string Name, string Role, string? KubeletVersion, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> PodCidrs)
{
    /// <summary>The node's Ready condition is True (the kubelet reports it and the control plane accepted it).</summary>
    public bool Ready { get; init; }

    /// <param name="command">The command that printed it, named if the output is not a node list.</param>
    public static IReadOnlyList<LiveNode> Parse(string nodeListJson, string command = "kubectl get nodes -o json")
    {
        try
        {
            using var list = JsonDocument.Parse(nodeListJson);
            return list.RootElement.ValueKind switch
            {
                JsonValueKind.Object => list.RootElement.ListItems().Select(From).ToList(),
                JsonValueKind.Null => [],
                _ => throw new JsonException("not a JSON object"),
            };
        }
        catch (JsonException)
        {
            throw Process.ToolOutput.NotUnderstood(command, nodeListJson, "the JSON list of the cluster's nodes",
                "run it yourself to see what prints before the JSON (a proxy's page, a kubectl plugin or wrapper), then run the same target again.");
        }
    }

    public static LiveNode From(JsonElement node)
    {
        var labels = node.StringMap("metadata", "labels");
        var controlPlane = labels.ContainsKey("node-role.kubernetes.io/control-plane") || labels.ContainsKey("node-role.kubernetes.io/master");
        // podCIDRs lists every family; the older podCIDR names the first alone.
        var cidrs = node.At("spec", "podCIDRs") is { ValueKind: JsonValueKind.Array } all
            ? all.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()!).ToList()
            : node.Str("spec", "podCIDR") is { } one ? [one] : [];
        return new LiveNode(node.ObjectName(), controlPlane ? "control-plane" : "worker",
            node.Str("status", "nodeInfo", "kubeletVersion"), labels, cidrs)
        {
            Ready = node.Condition("Ready") is { Status: "True" },
        };
    }
}
