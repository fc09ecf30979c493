using DataPlatform.Build.Deploy;
using DataPlatform.Build.GatewayApi;
using DataPlatform.Build.KindCluster;
using DataPlatform.Build.MetalLb;
using DataPlatform.Build.PrintHosts;
using DataPlatform.Build.Tests.Frosting;
using DataPlatform.Build.Verify;

namespace DataPlatform.Build.Tests.KindCluster;

/// <summary>What CreateCluster decides under --plan reaches the later steps as a typed property of the context.</summary>
public class PlanDecisionTests
{
    [Fact]
    public async Task Under_plan_a_cluster_to_be_created_is_not_queried_and_Verify_and_PrintHosts_are_skipped()
    {
        using var build = new TestBuild("--plan");
        build.Runner.Answer(0, "");   // kind get clusters: none

        await new CreateClusterTask().RunAsync(build.Context);
        var outcome = build.Context.ClusterOutcome!;

        Assert.Equal(new ClusterOutcome(ClusterAction.Create, Planned: true), outcome);
        Assert.False(outcome.IsReachable);
        Assert.False(new VerifyTask().ShouldRun(build.Context));
        Assert.False(new PrintHostsTask().ShouldRun(build.Context));

        await new ComputeMetalLbRangeTask().RunAsync(build.Context);
        var range = build.Context.MetalLbAddresses!;
        await new ApplyGatewayCrdsTask().RunAsync(build.Context);
        await new HelmfileApplyTask().RunAsync(build.Context);

        // Only the look for the cluster's node containers ran: no docker network, no read of a cluster that does not exist.
        Assert.Equal(["docker ps --all --filter label=io.x-k8s.kind.cluster=data-platform --format {{.Names}}|{{.State}}"], build.Runner.Commands.Select(c => $"{c.Program} {string.Join(' ', c.Arguments)}"));
        Assert.Equal("plan", range.Source);
        Assert.Contains("would run kind create cluster", build.Console.Output);
        Assert.Contains("would run kubectl --context kind-data-platform apply --server-side", build.Console.Output);
        Assert.Contains("would run helmfile --file", build.Console.Output);
    }

    [Fact]
    public async Task Without_plan_the_created_cluster_is_reachable_for_the_steps_after_it()
    {
        using var build = new TestBuild();
        build.Runner.Answer(0, "");   // kind get clusters: none, then create and wait succeed

        await new CreateClusterTask().RunAsync(build.Context);
        var outcome = build.Context.ClusterOutcome!;

        Assert.Equal(new ClusterOutcome(ClusterAction.Create, Planned: false), outcome);
        Assert.True(outcome.IsReachable);
        Assert.Contains(build.Runner.Commands, c => c.Program == "kind" && c.Arguments.Take(2).SequenceEqual(["create", "cluster"]));
    }

    [Fact]
    public void A_step_run_alone_finds_no_decision_and_expects_the_cluster_to_exist()
    {
        using var build = new TestBuild("--target=Verify");
        Assert.Null(build.Context.ClusterOutcome);
        Assert.True(new VerifyTask().ShouldRun(build.Context));
    }
}
