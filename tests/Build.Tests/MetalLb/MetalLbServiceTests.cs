using DataPlatform.Build.Frosting;
using DataPlatform.Build.MetalLb;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Process;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.MetalLb;

public class MetalLbServiceTests
{
    [Fact]
    public async Task A_preset_MetalLB_range_wins_and_docker_is_only_asked_for_the_subnet_that_must_hold_it()
    {
        var root = Directory.CreateTempSubdirectory().FullName;
        var runner = new RecordingRunner().Answer(0, "10.0.0.0/24 fc00::/64");
        var variables = PlatformEnvironment.Load(root, k => k == "METALLB_IP_RANGE" ? "10.0.0.1-10.0.0.5" : null);
        var (range, source) = await new MetalLbService(new Docker(runner), variables).ResolveAsync(default);
        Assert.Equal("10.0.0.1-10.0.0.5", range);
        Assert.Equal("METALLB_IP_RANGE", source);
        Assert.All(runner.Commands, c => Assert.False(c.Mutating));
    }

    [Fact]
    public async Task A_missing_kind_network_says_to_create_the_cluster_first()
    {
        var runner = new RecordingRunner().Answer(1, "", "Error response from daemon: network kind not found");
        var variables = PlatformEnvironment.Load(Directory.CreateTempSubdirectory().FullName, _ => null);
        var error = await Assert.ThrowsAsync<BuildFailure>(() => new MetalLbService(new Docker(runner), variables).ResolveAsync(default));
        Assert.Contains("CreateCluster", error.Message);
    }
}
