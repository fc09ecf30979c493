using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.Graph;
using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Tests.Unit;

/// <summary>The graph is checked without running anything, as NUKE's plan tests do.</summary>
public class TaskGraphTests
{
    static IReadOnlyList<string> Plan(string target)
    {
        var engine = new CakeEngine(new CakeDataService(), new NullLog());
        FrostingHost<BuildContext>.RegisterTasks(engine, null!); // the context is only used when a task runs
        return CakeGraphBuilder.Build(engine.Tasks).Traverse(target).ToList();
    }

    [Fact]
    public void Up_runs_the_seeds_steps_in_order() =>
        Assert.Equal(
            ["Doctor", "EnsureTools", "CreateCluster", "ComputeMetalLbRange", "ApplyGatewayCrds", "HelmfileApply", "Verify", "PrintHosts", "Up"],
            Plan("Up"));

    [Fact]
    public void Verify_and_PrintHosts_run_alone_so_CI_can_gate_on_an_existing_platform()
    {
        Assert.Equal(["Verify"], Plan("Verify"));
        Assert.Equal(["PrintHosts"], Plan("PrintHosts"));
    }

    [Fact]
    public void Clean_does_not_bring_anything_up_first() => Assert.Equal(["Clean"], Plan("Clean"));

    [Fact]
    public void HelmfileApply_needs_the_range_and_the_gateway_crds_first()
    {
        var plan = Plan("HelmfileApply");
        Assert.Equal("HelmfileApply", plan[^1]);
        Assert.Contains("ComputeMetalLbRange", plan);
        Assert.Contains("ApplyGatewayCrds", plan);
    }
}

public class HostArgumentsTests
{
    [Fact]
    public void Cake_switches_steer_the_host_and_the_rest_reach_the_context()
    {
        var args = HostArguments.Parse(["--target=Verify", "--verbosity", "diagnostic", "--exclusive", "--report=out.xml", "--plan"], "Up");
        Assert.Equal("Verify", args.Target);
        Assert.Equal(Verbosity.Diagnostic, args.Verbosity);
        Assert.True(args.Exclusive);
        Assert.Equal(HostMode.Run, args.Mode);
        Assert.Equal("out.xml", args.Arguments.GetArgument("report"));
        Assert.True(args.Arguments.HasArgument("plan"));
    }

    [Theory]
    [InlineData("--dryrun", HostMode.DryRun)]
    [InlineData("--tree", HostMode.Tree)]
    [InlineData("--description", HostMode.Description)]
    [InlineData("--help", HostMode.Help)]
    public void Modes_are_recognised(string flag, HostMode mode) => Assert.Equal(mode, HostArguments.Parse([flag], "Up").Mode);

    [Fact]
    public void The_default_target_is_used_when_none_is_given() => Assert.Equal("Up", HostArguments.Parse([], "Up").Target);

    [Theory]
    [InlineData("Up")]
    [InlineData("--verbosity=loud")]
    public void Mistakes_are_usage_errors(string arg) => Assert.Throws<HostUsageException>(() => HostArguments.Parse([arg], "Up"));
}
