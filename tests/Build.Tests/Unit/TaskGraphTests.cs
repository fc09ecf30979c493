using Cake.Core;
using Cake.Core.Graph;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Process;
using DataPlatform.Build.Services;
using DataPlatform.Build.Tasks;
using DataPlatform.Build.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.Unit;

/// <summary>
/// A real <see cref="BuildContext"/> over a throw-away clone holding the fixture platform files, with an in-process
/// runner (no process starts) and Cake's own engine and context, as the host builds them.
/// </summary>
sealed class TestBuild : IDisposable
{
    readonly ServiceProvider _services;

    public TestBuild(params string[] args)
    {
        Root = Directory.CreateTempSubdirectory("data-platform-context-").FullName;
        FixturePlatform.WriteTo(Root);
        var commandLine = CommandLine.Parse(args, OptionTable.All);
        _services = FrostingHost<BuildContext>.CakeServices(commandLine);
        var options = BuildOptions.From(commandLine);
        Context = new BuildContext(_services.GetRequiredService<ICakeContext>(), options, Root, Console,
            mask => options.Plan ? new PlanningRunner(Runner, Console, mask) : Runner,
            CancellationToken.None, environment: _ => null);
        Engine = _services.GetRequiredService<ICakeEngine>();
        FrostingHost<BuildContext>.RegisterTasks(Engine, Context);
    }

    public string Root { get; }
    public TestConsole Console { get; } = new();
    public RecordingRunner Runner { get; } = new();
    public BuildContext Context { get; }
    public ICakeEngine Engine { get; }

    public IReadOnlyList<string> Plan(string target) => CakeGraphBuilder.Build(Engine.Tasks).Traverse(target).ToList();

    public void Dispose()
    {
        _services.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The graph is checked without running anything, as NUKE's plan tests do, over a real context.</summary>
public class TaskGraphTests
{
    [Fact]
    public void Up_runs_the_seeds_steps_in_order()
    {
        using var build = new TestBuild();
        Assert.Equal(
            ["EnsureTools", "StartImageCache", "CreateCluster", "ConnectImageCache", "ComputeMetalLbRange", "ApplyGatewayCrds", "HelmfileApply", "Verify", "PrintHosts", "Up"],
            build.Plan("Up"));
    }

    [Fact]
    public void Verify_and_PrintHosts_run_alone_so_CI_can_gate_on_an_existing_platform()
    {
        using var build = new TestBuild();
        Assert.Equal(["Verify"], build.Plan("Verify"));
        Assert.Equal(["PrintHosts"], build.Plan("PrintHosts"));
    }

    [Fact]
    public void Purge_is_Clean_then_the_image_cache_and_brings_nothing_up()
    {
        using var build = new TestBuild();
        Assert.Equal(["Clean", "Purge"], build.Plan("Purge"));
    }

    [Fact]
    public void Clean_does_not_bring_anything_up_first()
    {
        using var build = new TestBuild();
        Assert.Equal(["Clean"], build.Plan("Clean"));
    }

    [Fact]
    public void HelmfileApply_needs_the_range_and_the_gateway_crds_first()
    {
        using var build = new TestBuild();
        var plan = build.Plan("HelmfileApply");
        Assert.Equal("HelmfileApply", plan[^1]);
        Assert.Contains("ComputeMetalLbRange", plan);
        Assert.Contains("ApplyGatewayCrds", plan);
    }

    [Fact]
    public void Exclusive_runs_the_target_alone()
    {
        using var build = new TestBuild();
        Assert.Equal(["HelmfileApply"], FrostingHost<BuildContext>.TasksToRun(build.Engine, "HelmfileApply", exclusive: true));
        Assert.Equal(build.Plan("Up"), FrostingHost<BuildContext>.TasksToRun(build.Engine, "Up", exclusive: false));
    }

    [Fact]
    public void The_context_reads_the_platform_files_of_its_clone()
    {
        using var build = new TestBuild("--timeout=42", "--helmfile-attempts=2");
        Assert.Equal(FixturePlatform.Context, build.Context.KindConfig.ContextName);
        Assert.Equal(Path.Combine(build.Root, "helmfile.yaml"), build.Context.HelmfileSpec.Path);
        Assert.Equal(FixturePlatform.GatewayApiVersion, build.Context.GatewayApi.Version);
        Assert.Equal("data-platform.internal", build.Context.Variables.Require("GLOBAL_DOMAIN"));
        Assert.Equal(TimeSpan.FromSeconds(42), build.Context.Options.VerifyTimeout);
        Assert.Equal(2, build.Context.Options.HelmfileRetry.Attempts);
        Assert.Equal(Path.Combine(build.Root, ".tools", "bin"), build.Context.ToolsDirectory);
    }
}

/// <summary>What CreateCluster decides under --plan reaches the later steps as its returned value.</summary>
public class PlanDecisionTests
{
    [Fact]
    public async Task Under_plan_a_cluster_to_be_created_is_not_queried_and_Verify_and_PrintHosts_are_skipped()
    {
        using var build = new TestBuild("--plan");
        build.Runner.Answer(0, "");   // kind get clusters: none

        var outcome = await new CreateClusterTask().ProduceAsync(build.Context);
        build.Context.Results.Record(outcome);

        Assert.Equal(new ClusterOutcome(ClusterAction.Create, Planned: true), outcome);
        Assert.False(outcome.IsReachable);
        Assert.False(new VerifyTask().ShouldRun(build.Context));
        Assert.False(new PrintHostsTask().ShouldRun(build.Context));

        var range = await new ComputeMetalLbRangeTask().ProduceAsync(build.Context);
        build.Context.Results.Record(range);
        await new ApplyGatewayCrdsTask().RunAsync(build.Context);
        await new HelmfileApplyTask().RunAsync(build.Context);

        // Only `kind get clusters` ran: no docker network, no kubectl get crd against a cluster that does not exist.
        Assert.Equal(["kind get clusters"], build.Runner.Commands.Select(c => $"{c.Program} {string.Join(' ', c.Arguments)}"));
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

        var outcome = await new CreateClusterTask().ProduceAsync(build.Context);

        Assert.Equal(new ClusterOutcome(ClusterAction.Create, Planned: false), outcome);
        Assert.True(outcome.IsReachable);
        Assert.Contains(build.Runner.Commands, c => c.Program == "kind" && c.Arguments.Take(2).SequenceEqual(["create", "cluster"]));
    }

    [Fact]
    public void A_step_run_alone_finds_no_decision_and_expects_the_cluster_to_exist()
    {
        using var build = new TestBuild("--target=Verify");
        Assert.Null(build.Context.Results.Find<ClusterOutcome>());
        Assert.True(new VerifyTask().ShouldRun(build.Context));
    }

    [Fact]
    public void A_decision_is_written_once()
    {
        var results = new StepResults();
        results.Record(ClusterOutcome.Existing);
        Assert.Throws<InvalidOperationException>(() => results.Record(new ClusterOutcome(ClusterAction.Create, true)));
        Assert.Same(ClusterOutcome.Existing, results.Find<ClusterOutcome>());
    }
}
