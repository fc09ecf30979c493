using DataPlatform.Build.Tests.EndToEnd.BadInput;
using DataPlatform.Build.Tests.Verification;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// A second run on an unchanged platform changes nothing. The real ./build.sh against the stand-ins (helmfile writes
/// the releases `helm list` then reports; kubectl keeps the ConfigMaps the build applies) and a fake Kubernetes API
/// serving a healthy platform for the quick health check. The runs target HelmfileApply, Up's whole mutating chain
/// (Up adds only Verify and PrintHosts, which read).
/// </summary>
public sealed class WarmUpTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>
{
    const string MutatingChain = "--target=HelmfileApply";

    static IEnumerable<string> Mutating(BuildRun run) => run.Calls.Where(c => c.IsMutating).Select(c => c.Signature);

    [Fact]
    public async Task A_second_run_on_an_unchanged_healthy_platform_makes_no_mutating_call_and_says_why()
    {
        await using var api = await FakeKubeApi.StartAsync();
        using var machine = new Scenario(build) { ApiServer = api.Url };
        new ClusterScenario().ServeFrom(api);

        var first = await machine.RunBuildAsync(MutatingChain);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Single(first.Named("helmfile apply"));
        var record = Assert.Single(first.Named("kubectl apply"), c => !c.Argv.Contains("--server-side"));
        Assert.Equal(FixturePlatform.Context, record.Context);

        var second = await machine.RunBuildAsync(MutatingChain);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Empty(Mutating(second));
        // The image check belongs to the apply: a warm no-op renders no chart (slow with the real tools) and asks no registry.
        Assert.Single(first.Named("helmfile template"));
        Assert.Empty(second.Named("helmfile template"));
        Assert.Contains("helmfile apply skipped: inputs unchanged since", second.Text);
        Assert.Contains("--force to run it anyway", second.Text);
        // The health check is Verify's reads without the waiting: the cluster once, helm's own list once.
        Assert.Single(second.Named("helm list"));
        Assert.Contains(api.RequestPaths, r => r.StartsWith("/apis/apps/v1/deployments"));
        Assert.Empty(second.Violations);
        // The record holds hashes, never the variables' values.
        var stored = machine.ReadState("configmap-kube-system-data-platform-applied")!;
        Assert.All(FixturePlatform.SecretValues, secret => Assert.DoesNotContain(secret, stored));
    }

    [Fact]
    public async Task Changing_one_value_runs_exactly_one_helmfile_apply_naming_the_file_and_the_run_after_that_none()
    {
        await using var api = await FakeKubeApi.StartAsync();
        using var root = await CaseRoot.CopyAsync(build);
        using var machine = new Scenario(build) { ApiServer = api.Url, BuildRoot = root.Path };
        new ClusterScenario().ServeFrom(api);
        Assert.Equal(0, (await machine.RunBuildAsync(MutatingChain)).ExitCode);

        root.Edit("values/minio.yaml.gotmpl", text => text.Replace("memory: 512Mi", "memory: 768Mi"));
        var changed = await machine.RunBuildAsync(MutatingChain);

        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Single(changed.Named("helmfile apply"));
        Assert.Equal(["helmfile apply", "kubectl apply"], Mutating(changed));   // the apply, then its new record
        Assert.Contains("values/minio.yaml.gotmpl changed since the last apply", changed.Text);

        var after = await machine.RunBuildAsync(MutatingChain);
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Empty(Mutating(after));
    }

    [Fact]
    public async Task Force_or_an_unhealthy_platform_runs_helmfile_apply_although_nothing_changed()
    {
        await using var api = await FakeKubeApi.StartAsync();
        using var machine = new Scenario(build) { ApiServer = api.Url };
        var cluster = new ClusterScenario();
        cluster.ServeFrom(api);
        Assert.Equal(0, (await machine.RunBuildAsync(MutatingChain)).ExitCode);

        var forced = await machine.RunBuildAsync(MutatingChain, "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal(["helmfile apply"], Mutating(forced));   // the record already holds these inputs
        Assert.Contains("--force: running helmfile apply", forced.Text);

        cluster.Deployments[2] = ClusterScenario.Deployment("minio", "minio", 1, 0);
        var unhealthy = await machine.RunBuildAsync(MutatingChain);
        Assert.True(unhealthy.ExitCode == 0, unhealthy.ToString());
        Assert.Equal(["helmfile apply"], Mutating(unhealthy));
        Assert.Contains("but the platform is not healthy (deployment minio/minio: 0/1 ready", unhealthy.Text);
    }
}
