using DataPlatform.Build.KindCluster;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Tests.KindCluster;

/// <summary>kind-config.yaml against the live nodes, as a pure function: no process, no cluster.</summary>
public sealed class ClusterDiffTests
{
    const string Image = "kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed";
    static readonly Dictionary<string, string> NoLabels = [];
    static readonly Dictionary<string, string> Gateway = new() { ["net"] = "metallb-gateway" };

    static KindConfig Desired(params KindNode[] nodes) => new("/repo/kind-config.yaml", "data-platform", nodes, "ipv4");

    /// <summary>What kind makes of a node config, as kubectl shows it: kind's name, the role label, the config's labels, the image's version.</summary>
    static LiveNode Live(string name, KindNode node, string? kubelet = null, string podCidr = "10.244.0.0/24")
    {
        var labels = new Dictionary<string, string>(node.Labels) { ["kubernetes.io/hostname"] = name, ["kubernetes.io/os"] = "linux" };
        if (node.Role == "control-plane") labels["node-role.kubernetes.io/control-plane"] = "";
        return new LiveNode(name, node.Role, kubelet ?? ClusterDiff.ImageVersion(node.Image) ?? "v1.36.4", labels, [podCidr]);
    }

    static readonly KindNode ControlPlane = new("control-plane", Image, NoLabels);
    static readonly KindNode GatewayWorker = new("worker", Image, Gateway);
    static readonly KindNode Worker = new("worker", Image, NoLabels);

    static IReadOnlyList<LiveNode> AsCreated(params KindNode[] nodes)
    {
        var seen = new Dictionary<string, int>();
        return nodes.Select(n =>
        {
            var index = seen[n.Role] = seen.GetValueOrDefault(n.Role, -1) + 1;
            return Live(ClusterDiff.KindNodeName("data-platform", n.Role, index), n);
        }).ToList();
    }

    [Fact]
    public void A_cluster_created_from_the_same_config_has_no_difference()
    {
        var nodes = new[] { ControlPlane, GatewayWorker, Worker };
        Assert.Empty(ClusterDiff.Compare(Desired(nodes), AsCreated(nodes)));
    }

    [Fact]
    public void The_repository_kind_config_matches_the_cluster_kind_would_create_from_it()
    {
        var config = KindConfig.Load(Platform.RepoRoot.File("kind-config.yaml"));
        Assert.Empty(ClusterDiff.Compare(config, AsCreated([.. config.Nodes])));
    }

    [Fact]
    public void A_worker_added_to_the_config_is_reported_with_the_nodes_that_exist()
    {
        var differences = ClusterDiff.Compare(Desired(ControlPlane, GatewayWorker, Worker), AsCreated(ControlPlane, GatewayWorker));

        var difference = Assert.Single(differences);
        Assert.Equal("kind-config.yaml asks for 2 worker nodes, the cluster has 1 worker node (data-platform-worker)", difference);
    }

    [Fact]
    public void A_node_removed_from_the_config_is_reported_too()
    {
        var differences = ClusterDiff.Compare(Desired(ControlPlane), AsCreated(ControlPlane, Worker));

        Assert.Equal(["kind-config.yaml asks for 0 worker nodes, the cluster has 1 worker node (data-platform-worker)"], differences);
    }

    [Fact]
    public void A_label_the_config_adds_is_reported_on_the_node_kind_would_have_put_it_on()
    {
        var differences = ClusterDiff.Compare(Desired(ControlPlane, GatewayWorker, Worker), AsCreated(ControlPlane, Worker, Worker));

        Assert.Equal(["node data-platform-worker lacks the label net=metallb-gateway that kind-config.yaml gives it"], differences);
    }

    [Fact]
    public void A_label_value_that_changed_is_reported_with_both_values()
    {
        var live = AsCreated(ControlPlane, new KindNode("worker", Image, new Dictionary<string, string> { ["net"] = "old" }));

        var differences = ClusterDiff.Compare(Desired(ControlPlane, GatewayWorker), live);

        Assert.Equal(["node data-platform-worker has the label net=old, kind-config.yaml says net=metallb-gateway"], differences);
    }

    [Fact]
    public void A_label_the_config_no_longer_sets_is_not_a_difference_because_the_node_cannot_tell_who_set_it()
    {
        Assert.Empty(ClusterDiff.Compare(Desired(ControlPlane, Worker), AsCreated(ControlPlane, GatewayWorker)));
    }

    [Fact]
    public void A_new_node_image_version_is_reported_per_node()
    {
        var live = AsCreated(ControlPlane, Worker).Select(n => n with { KubeletVersion = "v1.35.0" }).ToList();

        var differences = ClusterDiff.Compare(Desired(ControlPlane, Worker), live);

        Assert.Equal(2, differences.Count);
        Assert.Contains($"node data-platform-control-plane runs Kubernetes v1.35.0, kind-config.yaml asks for the image {Image} (Kubernetes v1.36.4)", differences);
    }

    [Theory]
    [InlineData("kindest/node:v1.36.4@sha256:0000000000000000000000000000000000000000000000000000000000000000")] // another digest: not observable on the node
    [InlineData("my-registry:5000/custom-node:latest")]  // no version tag: nothing to compare with
    [InlineData(null)]                                   // kind's default image: depends on the kind version
    public void An_image_difference_the_node_cannot_show_is_not_reported(string? image)
    {
        var desired = Desired(new KindNode("control-plane", image, NoLabels));
        Assert.Empty(ClusterDiff.Compare(desired, AsCreated(ControlPlane)));
    }

    [Theory]
    [InlineData("kindest/node:v1.36.4", "v1.36.4")]
    [InlineData("kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed", "v1.36.4")]
    [InlineData("registry.local:5000/kindest/node:v1.30.0", "v1.30.0")]
    [InlineData("registry.local:5000/kindest/node", null)]
    [InlineData("kindest/node:latest", null)]
    [InlineData("v1.36.4", null)]
    public void The_version_is_read_from_a_node_image_tag(string image, string? version) =>
        Assert.Equal(version, ClusterDiff.ImageVersion(image));

    [Fact]
    public void An_ip_family_change_is_reported_from_the_pod_cidrs()
    {
        var live = AsCreated(ControlPlane).Select(n => n with { PodCidrs = ["fd00:10:244::/64"] }).ToList();

        var differences = ClusterDiff.Compare(Desired(ControlPlane), live);

        Assert.Equal(["kind-config.yaml asks for networking.ipFamily ipv4, the cluster's pod addresses are ipv6"], differences);
    }

    [Fact]
    public void Nodes_without_pod_cidrs_do_not_report_an_ip_family()
    {
        var live = AsCreated(ControlPlane).Select(n => n with { PodCidrs = [] }).ToList();
        Assert.Empty(ClusterDiff.Compare(Desired(ControlPlane), live));
    }

    [Fact]
    public void Live_nodes_are_read_from_kubectl_json()
    {
        const string json = """
            {"apiVersion":"v1","kind":"List","items":[
              {"apiVersion":"v1","kind":"Node","metadata":{"name":"data-platform-control-plane","labels":{"node-role.kubernetes.io/control-plane":"","kubernetes.io/hostname":"data-platform-control-plane"}},
               "spec":{"podCIDR":"10.244.0.0/24","podCIDRs":["10.244.0.0/24"]},"status":{"nodeInfo":{"kubeletVersion":"v1.36.4","osImage":"Debian GNU/Linux 12 (bookworm)"}}},
              {"apiVersion":"v1","kind":"Node","metadata":{"name":"data-platform-worker","labels":{"net":"metallb-gateway"}},"spec":{},"status":{}}]}
            """;

        var nodes = LiveNode.Parse(json);

        Assert.Equal(["control-plane", "worker"], nodes.Select(n => n.Role));
        Assert.Equal("v1.36.4", nodes[0].KubeletVersion);
        Assert.Equal(["10.244.0.0/24"], nodes[0].PodCidrs);
        Assert.Equal("metallb-gateway", nodes[1].Labels["net"]);
        Assert.Null(nodes[1].KubeletVersion);
    }
}
