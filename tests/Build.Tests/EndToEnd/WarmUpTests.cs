using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Verify;

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

    /// <summary>Up's whole mutating chain, image cache on, when nothing changed: each tool process costs 50–200 ms with the real tools.</summary>
    const int WarmProcessBudget = 10;

    [Fact]
    public async Task A_warm_no_op_run_with_the_image_cache_on_starts_at_most_ten_tool_processes_and_reads_the_cluster_in_process()
    {
        await using var api = await FakeKubeApi.StartAsync();
        using var machine = new Scenario(build) { ApiServer = api.Url, ImageCache = "on" };
        new ClusterScenario().ServeFrom(api);
        var first = await machine.RunBuildAsync(MutatingChain);
        Assert.True(first.ExitCode == 0, first.ToString());
        var readsBefore = machine.StandinApiRequests.Count;

        var warm = await machine.RunBuildAsync(MutatingChain);

        Assert.True(warm.ExitCode == 0, warm.ToString());
        Assert.Contains("helmfile apply skipped", warm.Text);
        Assert.Empty(Mutating(warm));
        Assert.True(warm.Calls.Count <= WarmProcessBudget,
            $"a warm no-op run started {warm.Calls.Count} tool processes, more than {WarmProcessBudget}:\n  {string.Join("\n  ", warm.Calls)}");
        // What it did not start a process for: no version probe (cached per binary), one docker exec per node for all
        // of its mirror files, and the nodes, the Gateway API CRD and the applied record read from the cluster's API.
        Assert.DoesNotContain(warm.Calls, c => c.IsVersionQuery);
        var nodes = System.Text.Json.Nodes.JsonNode.Parse(machine.ReadState("nodes.json")!)![FixturePlatform.ClusterName]!.AsArray();
        Assert.Equal(nodes.Select(n => n!.GetValue<string>()).Order(), warm.Calls.Where(c => c.Tool == "docker" && c.Words.FirstOrDefault() == "exec").Select(c => c.Words[1]).Order());
        Assert.DoesNotContain(warm.Calls, c => c.Tool == "kubectl");
        var reads = machine.StandinApiRequests.Skip(readsBefore).ToList();
        Assert.Contains("GET /api/v1/nodes", reads);
        Assert.Contains("GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/gateways.gateway.networking.k8s.io", reads);
        Assert.Contains($"GET /api/v1/namespaces/kube-system/configmaps/data-platform-applied", reads);
        Assert.Empty(warm.Violations);
    }

    [Fact]
    public async Task A_changed_tool_binary_is_asked_its_version_again_and_a_corrupt_version_cache_is_rewritten()
    {
        using var root = await CaseRoot.CopyAsync(build);
        using var machine = new Scenario(build) { BuildRoot = root.Path };
        var cache = root.File(".tools/versions.json");
        File.Delete(cache);
        Assert.Equal(0, (await machine.RunBuildAsync("--target=EnsureTools")).ExitCode);
        Assert.Empty((await machine.RunBuildAsync("--target=EnsureTools")).Calls.Where(c => c.IsVersionQuery));

        // A helm of the build's own in .tools/bin (another binary: asked), then upgraded in place (its size changes: asked again).
        var helm = root.File(".tools/bin/helm");
        Directory.CreateDirectory(Path.GetDirectoryName(helm)!);
        File.WriteAllText(helm, $"#!/bin/sh\nexec python3 {Path.Combine(build.StandinsDirectory, "helm")} \"$@\"\n");
        File.SetUnixFileMode(helm, (UnixFileMode)0b111_101_101);
        var installed = await machine.RunBuildAsync("--target=EnsureTools");
        Assert.True(installed.ExitCode == 0, installed.ToString());
        Assert.Equal(["helm"], installed.Calls.Where(c => c.IsVersionQuery).Select(c => c.Tool));
        Assert.Empty((await machine.RunBuildAsync("--target=EnsureTools")).Calls.Where(c => c.IsVersionQuery));
        File.AppendAllText(helm, "# upgraded\n");
        var upgraded = await machine.RunBuildAsync("--target=EnsureTools");
        Assert.Equal(["helm"], upgraded.Calls.Where(c => c.IsVersionQuery).Select(c => c.Tool));

        File.WriteAllText(cache, "{ not json");
        var corrupt = await machine.RunBuildAsync("--target=EnsureTools");
        Assert.True(corrupt.ExitCode == 0, corrupt.ToString());
        Assert.Equal(4, corrupt.Calls.Count(c => c.IsVersionQuery));
        Assert.Empty((await machine.RunBuildAsync("--target=EnsureTools")).Calls.Where(c => c.IsVersionQuery));
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
        int PodLists() => api.RequestPaths.Count(p => p.StartsWith("/api/v1/pods?", StringComparison.Ordinal) || p == "/api/v1/pods");

        // Healthy and unchanged: the three workload lists are the whole look, no pod list is read.
        var podListsBefore = PodLists();
        var warm = await machine.RunBuildAsync(MutatingChain);
        Assert.True(warm.ExitCode == 0, warm.ToString());
        Assert.Empty(Mutating(warm));
        Assert.Equal(podListsBefore, PodLists());

        var forced = await machine.RunBuildAsync(MutatingChain, "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal(["helmfile apply"], Mutating(forced));   // the record already holds these inputs
        Assert.Contains("--force: running helmfile apply", forced.Text);

        cluster.Deployments[2] = ClusterScenario.Deployment("minio", "minio", 1, 0);
        podListsBefore = PodLists();
        var unhealthy = await machine.RunBuildAsync(MutatingChain);
        Assert.True(unhealthy.ExitCode == 0, unhealthy.ToString());
        Assert.True(PodLists() > podListsBefore, "an unready workload makes the check read the pods, for the reason it gives");
        Assert.Equal(["helmfile apply"], Mutating(unhealthy));
        Assert.Contains("but the platform is not healthy (deployment minio/minio: 0/1 ready", unhealthy.Text);
    }
}
