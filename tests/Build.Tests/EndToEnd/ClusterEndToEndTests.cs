using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Verify;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The real ./build.sh with stand-in kind and kubectl: KUBECONFIG is honoured as kind and kubectl honour it, and an
/// existing cluster is compared with kind-config.yaml instead of being silently kept or recreated. The stand-in kind
/// writes its context where real kind does (the first KUBECONFIG file that exists, else the last listed), and the
/// stand-in kubectl answers `get nodes -o json` with the nodes the cluster was created with.
/// </summary>
public sealed class ClusterEndToEndTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>
{
    const string MutatingChain = "--target=HelmfileApply";

    [Fact]
    public async Task A_KUBECONFIG_naming_a_file_that_does_not_exist_yet_is_where_the_context_is_written_and_found()
    {
        using var machine = new Scenario(build);
        var custom = Path.Combine(machine.Home, "custom.yaml");
        machine.KubeconfigVariable = custom;
        var homeBefore = File.ReadAllText(machine.KubeConfig);

        var run = await machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(run.Named("kind create cluster"));
        Assert.Contains(FixturePlatform.Context, File.ReadAllText(custom));
        Assert.Equal(homeBefore, File.ReadAllText(machine.KubeConfig)); // ~/.kube/config is not KUBECONFIG's business
        Assert.DoesNotContain("is not in your kubeconfig", run.Text);
        Assert.Empty(run.Violations);
    }

    [Fact]
    public async Task A_stale_platform_context_in_the_home_kubeconfig_is_never_contacted_when_KUBECONFIG_lists_the_right_one_first()
    {
        await using var api = await FakeKubeApi.StartAsync();
        await using var decoy = await FakeKubeApi.StartAsync();
        using var machine = new Scenario(build, decoyServer: decoy.Url) { ApiServer = api.Url };
        var cluster = new ClusterScenario();
        // No LoadBalancer addresses: the probes fail at once instead of dialling 172.18.x addresses that do not exist here.
        cluster.Services[0] = ClusterScenario.LoadBalancer("traefik", "traefik", null, new() { ["app.kubernetes.io/name"] = "traefik" }, 443);
        cluster.Services[1] = ClusterScenario.LoadBalancer("postgresql", "pg-source", null, new(), 5432);
        cluster.ServeFrom(api);
        // ~/.kube/config still has kind-data-platform from an older cluster, pointing at the decoy API.
        Kubeconfig.WriteFile(machine.KubeConfig, Scenario.DecoyContext, (Scenario.DecoyContext, decoy.Url), (FixturePlatform.Context, decoy.Url));
        // The current kubeconfig comes first in KUBECONFIG; kind writes the new cluster's context into it (it exists).
        var current = Path.Combine(machine.Home, "current.yaml");
        File.WriteAllText(current, "");
        machine.KubeconfigVariable = $"{current}:{machine.KubeConfig}";
        await machine.GivenPlatformClusterAsync();
        Assert.Contains(decoy.Url, File.ReadAllText(machine.KubeConfig)); // the stale entry is still there

        var run = await machine.RunBuildAsync("--target=Verify", "--timeout=1");

        Assert.True(run.Squashed.Contains($"failingoncontext{FixturePlatform.Context}"), run.ToString()); // Verify read a cluster and judged it
        Assert.NotEmpty(api.RequestPaths);
        Assert.Empty(decoy.RequestPaths);
        Assert.False(run.HasStackTrace, run.ToString());
        Assert.Empty(run.Violations);
    }

    [Fact]
    public async Task Up_on_a_cluster_created_from_another_kind_config_says_what_differs_and_neither_creates_nor_deletes()
    {
        using var machine = new Scenario(build);
        // The cluster was created from an older kind-config.yaml: one worker, without the MetalLB label.
        var older = Path.Combine(machine.Home, "older-kind-config.yaml");
        File.WriteAllText(older, """
            kind: Cluster
            apiVersion: kind.x-k8s.io/v1alpha4
            name: data-platform
            nodes:
              - role: control-plane
              - role: worker
            """);
        await machine.GivenAsync("kind", "create", "cluster", "--config", older);
        await machine.GivenAsync("kubectl", "config", "use-context", Scenario.DecoyContext);

        var run = await machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Named("kind create cluster"));
        Assert.Empty(run.Named("kind delete cluster"));
        Assert.Contains("GET /api/v1/nodes", machine.StandinApiRequests);   // through kind-data-platform's entry: the decoy's server is another
        Assert.Contains("differsfrom", run.Squashed);
        Assert.Contains("kind-config.yamlasksfor2workernodes,theclusterhas1workernode(data-platform-worker)", run.Squashed);
        Assert.Contains("nodedata-platform-workerlacksthelabelnet=metallb-gatewaythatkind-config.yamlgivesit", run.Squashed);
        Assert.Contains("./build.sh--target=Clean,then./build.sh--target=Up", run.Squashed);
        Assert.Empty(run.Violations);
    }

    [Fact]
    public async Task Up_on_a_cluster_created_from_the_same_kind_config_reports_no_difference()
    {
        using var machine = new Scenario(build);
        await machine.GivenPlatformClusterAsync();

        var run = await machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("alreadyexistsandmatches", run.Squashed);
        Assert.DoesNotContain("differsfrom", run.Squashed);
        Assert.Empty(run.Named("kind create cluster"));
    }

    [Theory]
    [InlineData("directory")]
    [InlineData("invalid-yaml")]
    public async Task A_kubeconfig_that_cannot_be_read_stops_the_build_naming_the_file(string problem)
    {
        using var machine = new Scenario(build);
        var bad = Path.Combine(machine.Home, "bad-kubeconfig");
        if (problem == "directory") Directory.CreateDirectory(bad);
        else File.WriteAllText(bad, "apiVersion: v1\nclusters:\n  - name: [unclosed\n");
        await machine.GivenPlatformClusterAsync();
        machine.KubeconfigVariable = $"{bad}:{machine.KubeConfig}";

        var run = await machine.RunBuildAsync("--target=CreateCluster");

        Assert.Equal(1, run.ExitCode);
        // Doctor names a directory ("kubeconfig: <file> is a directory"), the reader a file it cannot parse ("kubeconfig <file>").
        Assert.Matches($"kubeconfig:?{System.Text.RegularExpressions.Regex.Escape(bad)}", run.Squashed);
        Assert.False(run.HasStackTrace, run.ToString());
        Assert.DoesNotContain("Exception", run.Output);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
    }

    static IEnumerable<StandinCall> Starts(BuildRun run) => run.Calls.Where(c => c.Tool == "docker" && c.Words.FirstOrDefault() == "start");

    [Fact]
    public async Task A_second_Up_after_a_reboot_starts_the_stopped_node_containers_before_talking_to_the_cluster_then_leaves_them()
    {
        using var machine = new Scenario(build);
        await machine.GivenPlatformClusterAsync();
        // The stand-in docker keeps kind's node containers: stopped, their API refuses connections as a real one does.
        var nodes = System.Text.Json.JsonDocument.Parse(machine.ReadState("nodes.json")!).RootElement
            .GetProperty(FixturePlatform.ClusterName).EnumerateArray().Select(n => n.GetString()!).ToArray();
        Assert.NotEmpty(nodes);
        await machine.GivenAsync("docker", ["stop", .. nodes]);

        var run = await machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        var start = Assert.Single(Starts(run));
        Assert.Equal(nodes.Order(), start.Words.Skip(1).Order());
        var first = run.Calls.ToList();
        Assert.True(first.IndexOf(start) < first.FindIndex(c => c.IsClusterCall), "the nodes must be started before the first call to the cluster");
        Assert.Empty(run.Named("kind create"));
        Assert.Contains("stopped (a reboot or a Docker restart does that): starting them", run.Text);
        Assert.Empty(run.Violations);

        var again = await machine.RunBuildAsync(MutatingChain);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Empty(Starts(again));
    }
}
