using System.Text.RegularExpressions;
using DataPlatform.Build.Platform;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Images;

/// <summary>
/// The images in `helmfile template`'s output: every container, init container and ephemeral container of every
/// rendered object, and the PostgreSQL image of a CloudNativePG Cluster (spec.imageName, which its operator turns into
/// the pods' image), attributed to its release by the label Helm charts set for it (app.kubernetes.io/instance, or the
/// older `release`), else to the only release declared in the object's namespace (charts without either are named as
/// "a release").
/// </summary>
internal static partial class RenderedImages
{
    static readonly string[] ContainerLists = ["containers", "initContainers", "ephemeralContainers"];

    [GeneratedRegex(@"^---\s*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();

    public static IReadOnlyList<ReleaseImage> Find(string rendered, IReadOnlyList<Release> releases)
    {
        var found = new List<ReleaseImage>();
        foreach (var document in DocumentSeparator().Split(rendered))
        {
            if (string.IsNullOrWhiteSpace(document)) continue;
            YamlNode? root;
            try
            {
                var stream = new YamlStream();
                stream.Load(new StringReader(document));
                root = stream.Documents.FirstOrDefault()?.RootNode;
            }
            catch (YamlException) { continue; }   // helmfile's own chatter, or a document no pod comes from
            if (root is not YamlMappingNode mapping) continue;
            var release = ReleaseOf(mapping, releases);
            foreach (var image in Images(mapping).Concat(ClusterImage(mapping)))
                found.Add(new ReleaseImage(release, image));
        }
        return found.Distinct().ToList();
    }

    static string ReleaseOf(YamlMappingNode document, IReadOnlyList<Release> releases)
    {
        var labels = Child(Child(document, "metadata"), "labels") as YamlMappingNode;
        var ns = (Child(Child(document, "metadata"), "namespace") as YamlScalarNode)?.Value;
        foreach (var label in new[] { "app.kubernetes.io/instance", "release" })
            if ((Child(labels, label) as YamlScalarNode)?.Value is { Length: > 0 } name)
            {
                var candidates = releases.Where(r => r.Name == name).ToList();
                var match = candidates.FirstOrDefault(r => r.Namespace == ns) ?? candidates.FirstOrDefault();
                if (match is not null) return match.Id;
            }
        var inNamespace = releases.Where(r => r.Namespace == ns).ToList();
        return inNamespace.Count == 1 ? inNamespace[0].Id : "a release of helmfile.yaml";
    }

    /// <summary>CloudNativePG's Cluster names its PostgreSQL image in spec.imageName (api/v1 ClusterSpec), not in a pod template.</summary>
    static IEnumerable<string> ClusterImage(YamlMappingNode document)
    {
        if ((Child(document, "kind") as YamlScalarNode)?.Value == "Cluster" &&
            (Child(document, "apiVersion") as YamlScalarNode)?.Value?.StartsWith("postgresql.cnpg.io/", StringComparison.Ordinal) == true &&
            Child(Child(document, "spec"), "imageName") is YamlScalarNode { Value: { Length: > 0 } image })
            yield return image;
    }

    static IEnumerable<string> Images(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: { } name } && ContainerLists.Contains(name) && value is YamlSequenceNode containers)
                        foreach (var container in containers.OfType<YamlMappingNode>())
                            if (Child(container, "image") is YamlScalarNode { Value: { Length: > 0 } image })
                                yield return image;
                    foreach (var image in Images(value)) yield return image;
                }
                break;
            case YamlSequenceNode sequence:
                foreach (var image in sequence.SelectMany(Images)) yield return image;
                break;
        }
    }

    static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
}
