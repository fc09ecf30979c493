namespace DataPlatform.Build.Platform;

/// <summary>The facts the build needs from kind-config.yaml: the cluster's name, and from it the kube context.</summary>
public sealed record KindConfig(string Path, string Name, int NodeCount)
{
    /// <summary>kind names the kubeconfig context after the cluster; this is the only context the build ever talks to.</summary>
    public string ContextName => $"kind-{Name}";

    public static KindConfig Load(string path)
    {
        var doc = YamlFile.Read<Document>(path);
        if (doc.Kind != "Cluster" || doc.ApiVersion?.StartsWith("kind.x-k8s.io/") != true)
            throw new ConfigFileException(path, $"expected kind: Cluster and apiVersion: kind.x-k8s.io/v1alpha4, found kind: {doc.Kind ?? "(none)"}, apiVersion: {doc.ApiVersion ?? "(none)"}.");
        if (string.IsNullOrWhiteSpace(doc.Name))
            throw new ConfigFileException(path, "has no name: set `name: data-platform` so the build knows which cluster (and context kind-<name>) is the platform's.");
        return new KindConfig(path, doc.Name, doc.Nodes?.Count ?? 1);
    }

    sealed class Document
    {
        public string? Kind { get; set; }
        public string? ApiVersion { get; set; }
        public string? Name { get; set; }
        public List<Dictionary<string, object>>? Nodes { get; set; }
    }
}
