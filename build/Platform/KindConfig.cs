using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Platform;

/// <summary>One node as kind-config.yaml asks for it: role (kind's default: control-plane), image (null: kind's default) and labels.</summary>
/// <param name="ImageLine">the line of kind-config.yaml that sets the image, for messages about it.</param>
internal sealed record KindNode(string Role, string? Image, IReadOnlyDictionary<string, string> Labels, int? ImageLine = null);

/// <summary>The facts the build needs from kind-config.yaml: the cluster's name (and from it the kube context), and the nodes it compares with the live cluster.</summary>
internal sealed partial record KindConfig(string Path, string Name, IReadOnlyList<KindNode> Nodes, string? IpFamily = null)
{
    public const string FileName = "kind-config.yaml";

    /// <summary>kind names the kubeconfig context after the cluster; this is the only context the build ever talks to.</summary>
    public string ContextName => $"kind-{Name}";

    public int NodeCount => Nodes.Count;

    /// <summary>Where `name:` is written, for messages about the name.</summary>
    internal (int Line, int Column)? NameMark { get; init; }

    // kind's own rule (pkg/internal/apis/config/validate.go), and its length limit: node containers are named
    // <name>-control-plane and a host name has at most 64 characters (pkg/cluster/internal/create: clusterNameMax).
    [GeneratedRegex("^[a-z0-9.-]+$")]
    private static partial Regex ValidName();
    const int MaxNameLength = 50;

    [GeneratedRegex("@sha256:[0-9a-f]{64}$")]
    private static partial Regex Digest();

    // The fields of kind's v1alpha4 config (pkg/apis/config/v1alpha4/types.go); kind decodes strictly and refuses others.
    static readonly string[] ClusterFields = ["kind", "apiVersion", "name", "nodes", "networking", "featureGates", "runtimeConfig",
        "kubeadmConfigPatches", "kubeadmConfigPatchesJSON6902", "containerdConfigPatches", "containerdConfigPatchesJSON6902"];
    static readonly string[] NodeFields = ["role", "image", "labels", "extraMounts", "extraPortMappings", "gpus",
        "kubeadmConfigPatches", "kubeadmConfigPatchesJSON6902"];
    static readonly string[] NetworkingFields = ["ipFamily", "apiServerPort", "apiServerAddress", "podSubnet", "serviceSubnet",
        "disableDefaultCNI", "kubeProxyMode", "dnsSearch"];

    /// <summary>
    /// What the build needs at run time: a config kind accepts, and its name. The platform's image pinning is checked
    /// before Up by <c>Validation.PlatformValidator</c>, not here, so a tool that needs only the name is not held up by it.
    /// </summary>
    public static KindConfig Load(string path)
    {
        var problems = new List<ConfigProblem>();
        var config = Read(path, problems, checkImages: false);
        ConfigFileException.ThrowIfAny(problems);
        return config!;
    }

    /// <summary>
    /// Reads and checks the file, adding every problem found; null when the name could not be read. With
    /// <paramref name="checkImages"/>, also the platform's rule that every node runs the same image, pinned by digest.
    /// </summary>
    internal static KindConfig? Read(string path, List<ConfigProblem> problems, bool checkImages = true)
    {
        var fields = new YamlFields(System.IO.Path.GetFileName(path), problems);
        var root = fields.Mapping(YamlFile.Read(path, problems, "a kind Cluster (kind: Cluster, apiVersion: kind.x-k8s.io/v1alpha4, name:, nodes:)"),
            "the document", "a kind Cluster mapping (kind: Cluster, apiVersion: kind.x-k8s.io/v1alpha4, name:, nodes:)");
        if (root is null) return null;
        fields.UnknownKeys(root, "", ClusterFields, "kind's Cluster (v1alpha4)");

        var kind = fields.RequiredText(root, "kind", "kind", "the text Cluster", "write `kind: Cluster`.");
        if (kind is not null and not "Cluster")
            fields.Add(YamlFields.Get(root, "kind")!, $"kind is '{kind}'; a kind config is `kind: Cluster`.");
        var apiVersion = fields.RequiredText(root, "apiVersion", "apiVersion", "the text kind.x-k8s.io/v1alpha4", "write `apiVersion: kind.x-k8s.io/v1alpha4`.");
        if (apiVersion is not null and not "kind.x-k8s.io/v1alpha4")
            fields.Add(YamlFields.Get(root, "apiVersion")!, $"apiVersion is '{apiVersion}'; kind reads `apiVersion: kind.x-k8s.io/v1alpha4`.");

        var name = fields.RequiredText(root, "name", "name", "the cluster's name",
            "set `name:` (lowercase letters, digits, '-' and '.'), so the build knows which cluster, and context kind-<name>, is the platform's.");
        var nameNode = YamlFields.Get(root, "name");
        var nameIsValid = name is not null && ValidName().IsMatch(name) && name.Length <= MaxNameLength;
        if (name is not null && !ValidName().IsMatch(name))
            fields.Add(nameNode!, $"name '{name}' is not a valid kind cluster name: kind allows lowercase letters, digits, '-' and '.' only" +
                (SuggestName(name) is { } suggestion ? $", e.g. `name: {suggestion}`." : "."));
        else if (name is { Length: > MaxNameLength })
            fields.Add(nameNode!, $"name '{name}' has {name.Length} characters; kind allows at most {MaxNameLength} (its node containers are named <name>-control-plane).");

        var nodes = ReadNodes(root, fields, checkImages);
        var ipFamily = ReadNetworking(root, fields);

        // Without a valid name there is no context to compare helmfile.yaml with: the name is the one problem to report.
        return !nameIsValid ? null : new KindConfig(path, name!, nodes, ipFamily)
        {
            NameMark = ((int)nameNode!.Start.Line, (int)nameNode.Start.Column),
        };
    }

    /// <summary>kind's defaults: no nodes means one control-plane; a node without a role is a control-plane.</summary>
    static readonly IReadOnlyList<KindNode> DefaultNodes = [new KindNode("control-plane", null, new Dictionary<string, string>())];

    static IReadOnlyList<KindNode> ReadNodes(YamlMappingNode root, YamlFields fields, bool checkImages)
    {
        var nodesNode = YamlFields.Get(root, "nodes");
        var nodes = fields.Sequence(nodesNode, "nodes", "a list of nodes (- role: control-plane, image: …)");
        if (nodes is null && nodesNode is not null && !YamlFields.IsNull(nodesNode)) return DefaultNodes; // the wrong shape, already reported
        if (nodes is null || nodes.Children.Count == 0)
        {
            // kind would create one control-plane node with its own default image, which changes with every kind release.
            if (checkImages) fields.Add(YamlFields.Get(root, "nodes") ?? root,
                "nodes is missing: list the nodes (one `role: control-plane` at least), each with the same pinned `image: kindest/node:vX.Y.Z@sha256:…`.");
            return DefaultNodes;
        }

        var controlPlanes = 0;
        var read = new List<KindNode>();
        (string Image, int Index)? first = null;
        for (var i = 0; i < nodes.Children.Count; i++)
        {
            var path = $"nodes[{i}]";
            var node = fields.Mapping(nodes.Children[i], path, "a node mapping (role:, image:)");
            if (node is null) continue;
            fields.UnknownKeys(node, path + ".", NodeFields, "a kind node");

            // kind's default role is control-plane.
            var role = fields.Text(YamlFields.Get(node, "role"), path + ".role", "control-plane or worker") ?? "control-plane";
            if (role == "control-plane") controlPlanes++;
            else if (role != "worker")
                fields.Add(YamlFields.Get(node, "role")!, $"{path}.role is '{role}'; kind knows control-plane and worker.");

            var image = fields.Text(YamlFields.Get(node, "image"), path + ".image", "an image reference");
            if (checkImages) CheckImage(image, YamlFields.Get(node, "image") ?? node, path, i, ref first, fields);

            var labelValues = new Dictionary<string, string>();
            if (YamlFields.Get(node, "labels") is { } labels && fields.Mapping(labels, path + ".labels", "a mapping of label: value") is { } labelMap)
                foreach (var (key, value) in labelMap.Children)
                    if (fields.Text(value, $"{path}.labels.{(key as YamlScalarNode)?.Value}", "a label value (text)") is { } text && key is YamlScalarNode { Value: { } labelKey })
                        labelValues[labelKey] = text;
            read.Add(new KindNode(role, string.IsNullOrWhiteSpace(image) ? null : image, labelValues,
                YamlFields.Get(node, "image") is { } imageNode ? (int)imageNode.Start.Line : null));
        }
        if (controlPlanes == 0)
            fields.Add(nodes, "nodes has no control-plane node: kind needs at least one `- role: control-plane`.");
        return read;
    }

    /// <summary>Every node runs the same image, pinned by digest: a tag alone can point to another build.</summary>
    static void CheckImage(string? image, YamlNode at, string path, int index, ref (string Image, int Index)? first, YamlFields fields)
    {
        if (image is null)
            fields.Add(at, $"{path} has no image: pin it like the others (kindest/node:vX.Y.Z@sha256:…); kind's default changes with every kind release.");
        else if (!Digest().IsMatch(image))
            fields.Add(at, $"{path}.image '{image}' is not pinned by digest: append @sha256:<digest> from the kind release notes, as a tag alone can point to another build.");
        else if (first is null)
            first = (image, index);
        else if (image != first.Value.Image)
            fields.Add(at, $"{path}.image differs from nodes[{first.Value.Index}].image: every node runs the same pinned image ({first.Value.Image}).");
    }

    static string? ReadNetworking(YamlMappingNode root, YamlFields fields)
    {
        if (fields.Mapping(YamlFields.Get(root, "networking"), "networking", "a mapping (ipFamily: ipv4, …)") is not { } networking) return null;
        fields.UnknownKeys(networking, "networking.", NetworkingFields, "kind's networking");
        var family = fields.Text(YamlFields.Get(networking, "ipFamily"), "networking.ipFamily", "ipv4, ipv6 or dual");
        switch (family)
        {
            case null or "ipv4" or "dual": break;
            case "ipv6":
                fields.Add(YamlFields.Get(networking, "ipFamily")!, "networking.ipFamily is ipv6, but the MetalLB range is taken from the kind network's IPv4 subnet: use ipv4 (or dual).");
                break;
            default:
                fields.Add(YamlFields.Get(networking, "ipFamily")!, $"networking.ipFamily is '{family}'; kind knows ipv4, ipv6 and dual (the platform uses ipv4).");
                break;
        }
        return family;
    }

    /// <summary>The name lowercased, with anything kind refuses turned into '-': "Data Platform" → "data-platform".</summary>
    static string? SuggestName(string name)
    {
        var suggestion = Regex.Replace(name.Trim().ToLowerInvariant(), "[^a-z0-9.-]+", "-").Trim('-', '.');
        return suggestion.Length is > 0 and <= MaxNameLength ? suggestion : null;
    }
}
