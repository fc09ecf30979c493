namespace DataPlatform.Build.Platform;

public sealed record Release(string Name, string Namespace, IReadOnlyList<string> Needs)
{
    public string Id => $"{Namespace}/{Name}";
}

/// <summary>What the build reads from helmfile.yaml: the pinned kube context and the releases with their namespaces.</summary>
public sealed record HelmfileSpec(string Path, string KubeContext, IReadOnlyList<Release> Releases)
{
    public IReadOnlyList<string> Namespaces => Releases.Select(r => r.Namespace).Distinct().ToList();

    public static HelmfileSpec Load(string path)
    {
        var doc = YamlFile.Read<Document>(path);
        var context = doc.HelmDefaults?.KubeContext;
        if (string.IsNullOrWhiteSpace(context))
            throw new ConfigFileException(path, "helmDefaults.kubeContext is not set: pin it to kind-<cluster name> so helmfile never uses your current context.");
        if (doc.Releases is not { Count: > 0 })
            throw new ConfigFileException(path, "has no releases.");
        var releases = doc.Releases.Select((r, i) => new Release(
            r.Name ?? throw new ConfigFileException(path, $"release #{i + 1} has no name."),
            r.Namespace ?? throw new ConfigFileException(path, $"release '{r.Name}' has no namespace."),
            r.Needs ?? [])).ToList();
        return new HelmfileSpec(path, context, releases);
    }

    sealed class Document
    {
        public Defaults? HelmDefaults { get; set; }
        public List<ReleaseDoc>? Releases { get; set; }
    }

    sealed class Defaults
    {
        public string? KubeContext { get; set; }
    }

    sealed class ReleaseDoc
    {
        public string? Name { get; set; }
        public string? Namespace { get; set; }
        public List<string>? Needs { get; set; }
    }
}
