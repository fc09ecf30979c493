using DataPlatform.Build.Frosting;
using DataPlatform.Build.Tests.EndToEnd;

namespace DataPlatform.Build.Tests.Frosting;

/// <summary>The graph is checked without running anything, as NUKE's plan tests do, over a real context.</summary>
public class TaskGraphTests
{
    [Fact]
    public void Up_runs_the_blog_posts_steps_in_order()
    {
        using var build = new TestBuild();
        Assert.Equal(
            ["Doctor", "EnsureTools", "CheckImages", "StartImageCache", "CreateCluster", "ConnectImageCache", "ComputeMetalLbRange", "ApplyGatewayCrds", "HelmfileApply", "PublishPorts", "Verify", "PrintHosts", "Up"],
            build.Plan("Up"));
    }

    [Fact]
    public void The_access_proxy_is_published_after_helmfile_apply_and_before_Verify_probes_through_it()
    {
        using var build = new TestBuild();
        var plan = build.Plan("Up").ToList();
        Assert.True(plan.IndexOf("HelmfileApply") < plan.IndexOf("PublishPorts") && plan.IndexOf("PublishPorts") < plan.IndexOf("Verify"), string.Join(", ", plan));
        Assert.Equal(["TrustCA"], build.Plan("TrustCA"));
    }

    [Fact]
    public void Verify_and_PrintHosts_run_alone_so_CI_can_gate_on_an_existing_platform()
    {
        using var build = new TestBuild();
        Assert.Equal(["Verify"], build.Plan("Verify"));
        Assert.Equal(["PrintHosts"], build.Plan("PrintHosts"));
    }

    [Fact]
    public void Diagnose_runs_alone_and_reads_output_as_TrustCA_does()
    {
        using var build = new TestBuild("--output=/tmp/bundle.tar.gz");
        Assert.Equal(["Diagnose"], build.Plan("Diagnose"));
        Assert.DoesNotContain("Diagnose", build.Plan("Up"));   // Up writes a bundle only when it fails
        Assert.Equal("/tmp/bundle.tar.gz", build.Context.Options.DiagnosticsOutput);
        Assert.Empty(CommandLine.Parse(["--output=/tmp/bundle.tar.gz"], OptionTable.All).WithoutEffect(build.Plan("Diagnose").ToList()));
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

    [Fact]
    public void Every_option_that_only_some_tasks_read_names_tasks_that_exist()
    {
        using var build = new TestBuild();
        var tasks = build.Engine.Tasks.Select(t => t.Name).ToHashSet();
        var scoped = OptionTable.All.Where(o => o.ReadBy.Count > 0).ToList();
        Assert.NotEmpty(scoped);
        Assert.All(scoped, option => Assert.All(option.ReadBy, task => Assert.True(tasks.Contains(task), $"--{option.Name} names task {task}, which does not exist")));
    }

    [Theory]
    [InlineData("Doctor", "--hosts-file=/tmp/hosts", "--hosts-file has no effect here: only PrintHosts reads it")]
    [InlineData("Clean", "--output=/tmp/ca.crt", "--output has no effect here: only TrustCA or Diagnose read it")]
    [InlineData("PrintHosts", "--timeout=30", "--timeout has no effect here: only Verify reads it")]
    [InlineData("Verify", "--force", "--force has no effect here: only HelmfileApply reads it")]
    public void An_option_no_task_of_the_run_reads_is_named_with_the_task_that_would(string target, string option, string warning)
    {
        using var build = new TestBuild();
        var commandLine = CommandLine.Parse([option], OptionTable.All);
        Assert.StartsWith(warning, Assert.Single(commandLine.WithoutEffect(build.Plan(target).ToList())));
    }

    [Theory]
    [InlineData("Up", "--hosts-file=/tmp/hosts")]
    [InlineData("Up", "--report=/tmp/r.xml")]
    [InlineData("HelmfileApply", "--skip-image-check")]
    [InlineData("Clean", "--plan")]
    [InlineData("Doctor", "--verbosity=verbose")]
    public void An_option_a_task_of_the_run_reads_gives_no_warning(string target, string option)
    {
        using var build = new TestBuild();
        Assert.Empty(CommandLine.Parse([option], OptionTable.All).WithoutEffect(build.Plan(target).ToList()));
    }
}
