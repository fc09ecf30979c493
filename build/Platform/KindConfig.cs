namespace DataPlatform.Build.Platform;

/// <summary>One node as kind-config.yaml asks for it: role (kind's default: control-plane), image (null: kind's default) and labels.</summary>
public sealed record KindNode(string Role, string? Image, IReadOnlyDictionary<string, string> Labels);

/// <summary>The facts the build needs from kind-config.yaml: the cluster's name (and from it the kube context), and the nodes it compares with the live cluster.</summary>
public sealed record KindConfig(string Path, string Name, IReadOnlyList<KindNode> Nodes, string? IpFamily = null)
{
    /// <summary>kind names the kubeconfig context after the cluster; this is the only context the build ever talks to.</summary>
    public string ContextName => $"kind-{Name}";

    public int NodeCount => Nodes.Count;

    public static KindConfig Load(string path)
    {
        var doc = YamlFile.Read<Document>(path);
        if (doc.Kind != "Cluster" || doc.ApiVersion?.StartsWith("kind.x-k8s.io/") != true)
            throw new ConfigFileException(path, $"expected kind: Cluster and apiVersion: kind.x-k8s.io/v1alpha4, found kind: {doc.Kind ?? "(none)"}, apiVersion: {doc.ApiVersion ?? "(none)"}.");
        if (string.IsNullOrWhiteSpace(doc.Name))
            throw new ConfigFileException(path, "has no name: set `name: data-platform` so the build knows which cluster (and context kind-<name>) is the platform's.");
        // kind's defaults: no nodes means one control-plane; a node without a role is a control-plane.
        var nodes = doc.Nodes is { Count: > 0 }
            ? doc.Nodes.Select(n => new KindNode(
                string.IsNullOrWhiteSpace(n?.Role) ? "control-plane" : n.Role,
                string.IsNullOrWhiteSpace(n?.Image) ? null : n.Image,
                n?.Labels ?? new Dictionary<string, string>())).ToList()
            : [new KindNode("control-plane", null, new Dictionary<string, string>())];
        return new KindConfig(path, doc.Name, nodes, doc.Networking?.IpFamily);
    }

    sealed class Document
    {
        public string? Kind { get; set; }
        public string? ApiVersion { get; set; }
        public string? Name { get; set; }
        public NetworkingDocument? Networking { get; set; }
        public List<NodeDocument?>? Nodes { get; set; }
    }

    sealed class NetworkingDocument
    {
        public string? IpFamily { get; set; }
    }

    sealed class NodeDocument
    {
        public string? Role { get; set; }
        public string? Image { get; set; }
        public Dictionary<string, string>? Labels { get; set; }
    }
}
