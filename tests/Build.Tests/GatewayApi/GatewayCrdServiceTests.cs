using DataPlatform.Build.Frosting;
using DataPlatform.Build.GatewayApi;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Kube;
using DataPlatform.Build.Tests.Process;
using DataPlatform.Build.Tools;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.GatewayApi;

public class GatewayCrdServiceTests
{
    [Theory]
    [InlineData("experimental", "v1.5.1", "experimental", false)]
    [InlineData("experimental", "v1.3.0", "experimental", true)]
    [InlineData("experimental", "v1.5.1", "standard", true)]
    [InlineData("standard", "v1.5.1", "standard", false)]     // the channel is gateway-api.yaml's, not a fixed one
    [InlineData("standard", "v1.5.1", "experimental", true)]
    [InlineData("experimental", null, null, true)]
    public void Gateway_crds_are_applied_unless_the_exact_bundle_is_there(string wanted, string? version, string? channel, bool apply) =>
        Assert.Equal(apply, GatewayCrdService.NeedsApply("v1.5.1", wanted, version, channel));

    [Theory]
    [InlineData("https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/experimental-install.yaml", "experimental")]
    [InlineData("https://mirror.example/gateway-api/v1.5.1/standard-install.yaml?raw=1", "standard")]
    [InlineData("https://mirror.example/gateway-api/v1.5.1/install.yaml", null)]
    [InlineData("https://mirror.example/gateway-api/v1.5.1/-install.yaml", null)]
    public void The_gateway_channel_is_read_from_the_release_asset_name(string url, string? channel) =>
        Assert.Equal(channel, GatewayApiSpec.ChannelOf(url));

    [Fact]
    public async Task Installed_gateway_bundle_is_read_from_the_crd_annotations_and_skips_the_apply()
    {
        var runner = new RecordingRunner();
        var cluster = new FakeClusterReads
        {
            Crd = new(new KubeObject("gateways.gateway.networking.k8s.io", new Dictionary<string, string>(), new Dictionary<string, string>
                { ["gateway.networking.k8s.io/bundle-version"] = "v1.5.1", ["gateway.networking.k8s.io/channel"] = "experimental" }, new Dictionary<string, string>()), null),
        };
        var applied = await new GatewayCrdService(cluster, new Kubectl(runner, "kind-x"), new GatewayApiSpec("v1.5.1", "https://x.example/v1.5.1/experimental-install.yaml"), new TestConsole()).EnsureAsync(default);
        Assert.False(applied);
        Assert.Empty(runner.Commands);
    }

    [Fact]
    public async Task A_gateway_crd_read_that_failed_stops_the_build_with_why_instead_of_counting_as_not_installed()
    {
        var runner = new RecordingRunner();
        var unreadable = new FakeClusterReads { Crd = new(null, "the Kubernetes API of kind-x at https://127.0.0.1:1 could not be read: '<' is an invalid start of a value") };
        var failure = await Assert.ThrowsAsync<BuildFailure>(() =>
            new GatewayCrdService(unreadable, new Kubectl(runner, "kind-x"), new GatewayApiSpec("v1.5.1", "https://u/v1.5.1.yaml"), new TestConsole()).EnsureAsync(default));
        Assert.Contains("gateways.gateway.networking.k8s.io", failure.Message);
        Assert.Contains("could not be read", failure.Message);
        Assert.Empty(runner.Commands);
    }

    [Fact]
    public async Task Missing_gateway_crds_are_applied()
    {
        var runner = new RecordingRunner();
        var applied = await new GatewayCrdService(new FakeClusterReads { Crd = new(null, null) }, new Kubectl(runner, "kind-x"), new GatewayApiSpec("v1.5.1", "https://u/v1.5.1.yaml"), new TestConsole()).EnsureAsync(default);
        Assert.True(applied);
        Assert.Contains("https://u/v1.5.1.yaml", runner.Commands[^1].Arguments);
    }
}
