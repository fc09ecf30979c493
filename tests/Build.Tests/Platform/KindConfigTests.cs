using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>Invariants of kind-config.yaml and what the rest of the platform expects from it.</summary>
public sealed class KindConfigTests
{
    private static readonly YamlMappingNode Config = Yaml.LoadMapping(RepoRoot.File("kind-config.yaml"));

    private static List<YamlMappingNode> Nodes => Config.Items("nodes").Cast<YamlMappingNode>().ToList();

    [Fact]
    public void Is_an_ipv4_kind_cluster_with_a_name()
    {
        Assert.Equal("Cluster", Config.Scalar("kind"));
        Assert.Equal("kind.x-k8s.io/v1alpha4", Config.Scalar("apiVersion"));
        Assert.False(string.IsNullOrWhiteSpace(Config.Scalar("name")), "kind-config.yaml: name is required (the build derives the context kind-<name>)");
        // The MetalLB range is computed from the kind network's IPv4 subnet.
        Assert.Equal("ipv4", Assert.IsType<YamlMappingNode>(Config.Get("networking")).Scalar("ipFamily"));
    }

    [Fact]
    public void Every_metallb_announcement_node_selector_matches_a_worker()
    {
        var workerLabels = Nodes.Where(n => n.Scalar("role") == "worker")
            .Select(n => (n.Get("labels") as YamlMappingNode)?.Children.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value.ToString()) ?? [])
            .ToList();
        var selectors = PlatformModel.Objects().Where(o => o.Kind == "L2Advertisement")
            .SelectMany(o => o.Spec.Items("nodeSelectors").OfType<YamlMappingNode>())
            .Select(s => s.Get("matchLabels") as YamlMappingNode)
            .OfType<YamlMappingNode>()
            .ToList();
        Assert.NotEmpty(selectors);

        foreach (var selector in selectors)
        {
            Assert.True(workerLabels.Any(labels => selector.Children.All(kv => labels.GetValueOrDefault(kv.Key.ToString()) == kv.Value.ToString())),
                $"no worker in kind-config.yaml carries the labels {selector}, so MetalLB would announce its addresses from no node");
        }
    }

    [Fact]
    public void Every_node_runs_the_same_kindest_node_image_pinned_by_tag_and_digest()
    {
        var images = Nodes.Select(n => n.Scalar("image")).ToList();

        Assert.NotEmpty(images);
        Assert.All(images, image => Assert.Matches(@"^kindest/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$", image));
        Assert.Single(images.Distinct());
    }
}
