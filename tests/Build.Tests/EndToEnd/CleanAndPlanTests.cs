namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>Clean and --plan through the real ./build.sh, with stand-in kind/kubectl/helmfile recording what ran.</summary>
public sealed class CleanAndPlanTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>, IDisposable
{
    readonly Scenario _machine = new(build);

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task Clean_deletes_only_the_platform_cluster_and_a_second_clean_has_nothing_to_remove()
    {
        await _machine.GivenAsync("kind", "create", "cluster", "--name", "other");
        await _machine.GivenPlatformClusterAsync();

        var first = await _machine.RunBuildAsync("--target=Clean");

        Assert.True(first.ExitCode == 0, first.ToString());
        var delete = Assert.Single(first.Calls, c => c.IsMutating);
        Assert.Equal(["delete", "cluster", "--name", FixturePlatform.ClusterName], delete.Argv);
        Assert.Equal(["other"], _machine.Clusters);
        var kubeconfig = File.ReadAllText(_machine.KubeConfig);
        Assert.Contains("kind-other", kubeconfig);
        Assert.Contains(Scenario.DecoyContext, kubeconfig);
        Assert.DoesNotContain(FixturePlatform.Context, kubeconfig);

        var second = await _machine.RunBuildAsync("--target=Clean");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("nothing to remove", second.Text);
        Assert.DoesNotContain(second.Calls, c => c.IsMutating);
        Assert.Equal(["other"], _machine.Clusters);
    }

    // The plan tests target HelmfileApply (Up's whole mutating chain): under --plan Verify and PrintHosts still read
    // the cluster, and there is none behind the stand-ins (see UpTests).
    [Fact]
    public async Task Plan_of_Up_on_a_cold_machine_changes_nothing_and_lists_what_Up_would_do()
    {
        // Up itself: Verify and PrintHosts are skipped, there is no cluster to read yet.
        var run = await _machine.RunBuildAsync("--target=Up", "--plan");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.Empty(_machine.Clusters);
        Assert.Null(_machine.ReadState("crd_version"));
        Assert.DoesNotContain(FixturePlatform.Context, File.ReadAllText(_machine.KubeConfig));
        Assert.Contains("would run kind create cluster --name data-platform --config", run.Text);
        Assert.Contains("would run kubectl --context kind-data-platform apply --server-side", run.Text);
        Assert.Contains("would run helmfile --file", run.Text);
        Assert.Matches(@"Verify\s+-\s+Skipped", run.Text);
        Assert.Matches(@"PrintHosts\s+-\s+Skipped", run.Text);
        Assert.Empty(run.Violations);
    }

    [Fact]
    public async Task Plan_on_a_running_platform_only_plans_helmfile_apply()
    {
        Assert.Equal(0, (await _machine.RunBuildAsync("--target=HelmfileApply")).ExitCode);

        // Unchanged and healthy, the plan applies nothing; --force makes it plan the apply it would run.
        Assert.Contains("helmfile apply skipped", (await _machine.RunBuildAsync("--target=HelmfileApply", "--plan")).Text);
        var run = await _machine.RunBuildAsync("--target=HelmfileApply", "--plan", "--force");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.DoesNotContain("would run kind", run.Text);
        Assert.DoesNotContain("would run kubectl", run.Text);
        Assert.Contains("would run helmfile --file", run.Text);
        Assert.Empty(run.Violations);
    }
}
