using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Tests.Platform;

public sealed class KindConfigTests
{
    private static readonly YamlMappingNode Config = Yaml.LoadMapping(RepoRoot.File("kind-config.yaml"));

    private static List<YamlMappingNode> Nodes => Config.Items("nodes").Cast<YamlMappingNode>().ToList();

    [Fact]
    public void Is_an_ipv4_kind_cluster_named_data_platform()
    {
        Assert.Equal("Cluster", Config.Scalar("kind"));
        Assert.Equal("kind.x-k8s.io/v1alpha4", Config.Scalar("apiVersion"));
        Assert.Equal("data-platform", Config.Scalar("name"));
        Assert.Equal("ipv4", Assert.IsType<YamlMappingNode>(Config.Get("networking")).Scalar("ipFamily"));
    }

    [Fact]
    public void Has_one_control_plane_then_two_workers_the_first_labelled_for_metallb()
    {
        Assert.Equal(["control-plane", "worker", "worker"], Nodes.Select(n => n.Scalar("role")));

        var firstWorker = Nodes[1];
        var labels = Assert.IsType<YamlMappingNode>(firstWorker.Get("labels"));
        Assert.Equal("metallb-gateway", labels.Scalar("net"));
        Assert.Null(Nodes[2].Get("labels"));
    }

    [Fact]
    public void Every_node_runs_the_same_kindest_node_image_pinned_by_tag_and_digest()
    {
        var images = Nodes.Select(n => n.Scalar("image")).ToList();

        Assert.All(images, image => Assert.Matches(@"^kindest/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$", image));
        Assert.Single(images.Distinct());
    }
}
