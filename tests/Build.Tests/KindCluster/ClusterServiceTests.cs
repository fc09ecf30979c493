using DataPlatform.Build.Frosting;
using DataPlatform.Build.KindCluster;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Kube;
using DataPlatform.Build.Tests.Process;
using DataPlatform.Build.Tools;
using k8s.KubeConfigModels;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.KindCluster;

/// <summary>Every observe → decide → act path of ClusterService, with its readers injected (the cluster's API too): no process, no kubeconfig file.</summary>
public sealed class ClusterServiceTests
{
    const string Context = "kind-data-platform";
    static readonly KindConfig Config = new("/repo/kind-config.yaml", "data-platform",
    [
        new KindNode("control-plane", "kindest/node:v1.36.4", new Dictionary<string, string>()),
        new KindNode("worker", "kindest/node:v1.36.4", new Dictionary<string, string> { ["net"] = "metallb-gateway" }),
    ]);

    sealed class Contexts(params string[] names) : IKubeconfigReader
    {
        public int Reads { get; private set; }
        public MergedKubeconfig Read()
        {
            Reads++;
            return MergedKubeconfig.Merge([("/home/u/.kube/config", new K8SConfiguration { Contexts = names.Select(n => new Context { Name = n }).ToList() })], "~/.kube/config");
        }
    }

    static string Nodes(string workerNet, string version = "v1.36.4", string ready = "True") => """
        {"kind":"List","apiVersion":"v1","items":[
          {"metadata":{"name":"data-platform-control-plane","labels":{"node-role.kubernetes.io/control-plane":""}},"status":{"nodeInfo":{"kubeletVersion":"VERSION"},"conditions":[{"type":"Ready","status":"True"}]}},
          {"metadata":{"name":"data-platform-worker","labels":{"net":"NET"}},"status":{"nodeInfo":{"kubeletVersion":"VERSION"},"conditions":[{"type":"Ready","status":"READY"}]}}]}
        """.Replace("VERSION", version).Replace("NET", workerNet).Replace("READY", ready);

    static (ClusterService Service, RecordingRunner Runner, TestConsole Console, FakeClusterReads Api) Service(IKubeconfigReader kubeconfig, TimeSpan? apiWait = null)
    {
        var runner = new RecordingRunner();
        var api = new FakeClusterReads();
        var console = new TestConsole().Width(1000); // one line per message, as a wide terminal shows it
        return (new ClusterService(new Kind(runner), new Kubectl(runner, Context), new Docker(runner), kubeconfig, api, Config, console,
            apiPoll: TimeSpan.Zero, apiWait: apiWait), runner, console, api);
    }

    /// <summary>What `docker ps` answers for the cluster's node containers when both are up.</summary>
    const string Running = "data-platform-control-plane|running\ndata-platform-worker|running\n";
    const string NodeStates = "docker ps --all --filter label=io.x-k8s.kind.cluster=data-platform --format {{.Names}}|{{.State}}";
    const string WaitForNodes = $"kubectl --context {Context} wait --for=condition=Ready nodes --all --timeout=300s";

    static IEnumerable<string> Argv(RecordingRunner runner) => runner.Commands.Select(c => string.Join(' ', c.Arguments.Prepend(c.Program)));

    [Theory]
    // The action travels by name: a public test method cannot take the build's internal enum.
    [InlineData(false, false, nameof(ClusterAction.Create))]
    [InlineData(false, true, nameof(ClusterAction.Create))] // a stale context without a cluster: kind create rewrites it
    [InlineData(true, false, nameof(ClusterAction.RestoreContext))]
    [InlineData(true, true, nameof(ClusterAction.None))]
    public void The_cluster_is_created_only_when_missing(bool exists, bool hasContext, string expected) =>
        Assert.Equal(expected, ClusterService.Decide(exists, hasContext).ToString());

    [Fact]
    public async Task A_missing_cluster_is_created_then_its_nodes_waited_for_until_Ready_and_not_compared()
    {
        var (service, runner, _, api) = Service(new Contexts());
        runner.Answer(0, "");   // no node container carries the cluster's label: kind would list no such cluster
        api.AnswerNodes(Nodes("metallb-gateway", ready: "False"));

        Assert.Equal(ClusterAction.Create, await service.EnsureAsync(planning: false, default));

        Assert.Equal([NodeStates, "kind create cluster --name data-platform --config /repo/kind-config.yaml --wait 300s", WaitForNodes], Argv(runner));
        Assert.Equal(["data-platform-control-plane", "data-platform-worker"], service.NodeNames);
    }

    [Fact]
    public async Task When_docker_cannot_list_the_node_containers_kind_is_asked_whether_the_cluster_exists()
    {
        var (service, runner, _, api) = Service(new Contexts(Context));
        runner.Answer(1, "", "permission denied").Answer(0, "data-platform\n");
        api.AnswerNodes(Nodes("metallb-gateway"));

        Assert.Equal(ClusterAction.None, await service.EnsureAsync(planning: false, default));

        Assert.Equal([NodeStates, "kind get clusters"], Argv(runner));
    }

    [Fact]
    public async Task An_existing_cluster_that_matches_and_is_Ready_is_left_alone_with_one_process_and_one_read_of_its_API()
    {
        var (service, runner, console, api) = Service(new Contexts(Context));
        runner.Answer(0, Running);
        api.AnswerNodes(Nodes("metallb-gateway"));

        Assert.Equal(ClusterAction.None, await service.EnsureAsync(planning: false, default));

        Assert.Equal([NodeStates], Argv(runner));
        Assert.Equal(1, api.NodeReads);
        Assert.Contains("already exists and matches kind-config.yaml", console.Output);
        Assert.Equal(["data-platform-control-plane", "data-platform-worker"], service.NodeNames);
    }

    [Fact]
    public async Task An_existing_cluster_with_a_node_not_Ready_is_waited_for_with_kubectl_wait()
    {
        var (service, runner, _, api) = Service(new Contexts(Context));
        runner.Answer(0, Running);
        api.AnswerNodes(Nodes("metallb-gateway", ready: "False"));

        await service.EnsureAsync(planning: false, default);

        Assert.Equal([NodeStates, WaitForNodes], Argv(runner));
    }

    [Fact]
    public async Task An_existing_cluster_that_differs_is_described_with_the_way_to_recreate_it_and_never_recreated()
    {
        var (service, runner, console, api) = Service(new Contexts(Context));
        runner.Answer(0, Running);
        api.AnswerNodes(Nodes("old", version: "v1.35.0"));

        Assert.Equal(ClusterAction.None, await service.EnsureAsync(planning: false, default));

        Assert.DoesNotContain(runner.Commands, c => c.Mutating);
        var output = console.Output;
        Assert.Contains("differs from /repo/kind-config.yaml", output);
        Assert.Contains("node data-platform-worker has the label net=old, kind-config.yaml says net=metallb-gateway", output);
        Assert.Contains("node data-platform-control-plane runs Kubernetes v1.35.0", output);
        Assert.Contains("./build.sh --target=Clean, then ./build.sh --target=Up", output);
    }

    [Fact]
    public async Task A_missing_context_is_restored_before_the_nodes_are_read_through_it()
    {
        var (service, runner, _, api) = Service(new Contexts("someone-else"));
        runner.Answer(0, Running).Answer(0);
        api.AnswerNodes(Nodes("metallb-gateway"));

        Assert.Equal(ClusterAction.RestoreContext, await service.EnsureAsync(planning: false, default));

        Assert.Equal([NodeStates, "kind export kubeconfig --name data-platform"], Argv(runner));
        Assert.Equal(1, api.NodeReads);
    }

    [Fact]
    public async Task Under_plan_a_context_still_to_restore_is_not_read_and_nothing_is_waited_for()
    {
        var (service, runner, _, api) = Service(new Contexts());
        runner.Answer(0, Running);

        Assert.Equal(ClusterAction.RestoreContext, await service.EnsureAsync(planning: true, default));

        Assert.Equal([NodeStates, "kind export kubeconfig --name data-platform"], Argv(runner));
        Assert.Equal(0, api.NodeReads);
    }

    [Fact]
    public async Task Under_plan_an_existing_cluster_is_still_compared()
    {
        var (service, runner, console, api) = Service(new Contexts(Context));
        runner.Answer(0, Running);
        api.AnswerNodes(Nodes("old"));

        await service.EnsureAsync(planning: true, default);

        Assert.Equal([NodeStates], Argv(runner));
        Assert.Contains("net=old", console.Output);
    }

    [Fact]
    public async Task Nodes_that_cannot_be_read_are_a_warning_and_the_wait_then_says_why()
    {
        var (service, runner, console, api) = Service(new Contexts(Context));
        runner.Answer(0, Running);
        api.FailNodes("the Kubernetes API of kind-data-platform at https://127.0.0.1:6443 could not be read: Connection refused (127.0.0.1:6443)");

        await service.EnsureAsync(planning: false, default);

        Assert.Contains("cannot be read", console.Output);
        Assert.Contains("Connection refused", console.Output);
        Assert.Equal([NodeStates, WaitForNodes], Argv(runner));
    }

    [Fact]
    public async Task The_kubeconfig_is_read_through_the_injected_reader()
    {
        var contexts = new Contexts(Context);
        var (service, runner, _, api) = Service(contexts);
        runner.Answer(0, Running);
        api.AnswerNodes(Nodes("metallb-gateway"));

        await service.EnsureAsync(planning: false, default);

        Assert.Equal(1, contexts.Reads);
    }

    [Fact]
    public async Task Clean_deletes_only_the_platform_cluster_and_only_when_it_exists()
    {
        var (service, runner, console, _) = Service(new Contexts());
        runner.Answer(0, "other\n");
        await service.CleanAsync(default);
        Assert.Equal(["kind get clusters"], Argv(runner));
        Assert.Contains("nothing to remove", console.Output);

        runner.Answer(0, "other\ndata-platform\n");
        await service.CleanAsync(default);
        Assert.Equal("kind delete cluster --name data-platform", Argv(runner).Last());
    }

    [Fact]
    public async Task Node_containers_a_reboot_left_exited_are_started_before_the_cluster_is_read_and_running_ones_are_not_touched()
    {
        var (service, runner, console, api) = Service(new Contexts(Context));
        runner.Answer(0, "data-platform-worker|exited\ndata-platform-control-plane|exited\n").Answer(0);
        api.AnswerNodes(Nodes("metallb-gateway"));

        Assert.Equal(ClusterAction.None, await service.EnsureAsync(planning: false, default));

        Assert.Equal([NodeStates, "docker start data-platform-control-plane data-platform-worker"], Argv(runner));
        Assert.True(runner.Commands[1].Mutating); // so --plan prints it instead of starting anything
        Assert.Equal(1, api.NodeReads);   // the read that found the API up is the one compared
        Assert.Contains("are stopped (a reboot or a Docker restart does that): starting them", console.Output);
    }

    [Theory]
    [InlineData("paused", "docker unpause data-platform-worker")]
    [InlineData("dead", "./build.sh --target=Clean, then ./build.sh --target=Up")]
    public async Task A_node_that_cannot_be_started_stops_the_build_with_its_fix_and_nothing_is_started(string state, string fix)
    {
        var (service, runner, _, _) = Service(new Contexts(Context));
        runner.Answer(0, $"data-platform-control-plane|exited\ndata-platform-worker|{state}\n");

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => service.EnsureAsync(planning: false, default));

        Assert.Contains($"data-platform-worker is {state}", failure.Message);
        Assert.Contains(fix, failure.Message);
        Assert.DoesNotContain(runner.Commands, c => c.Mutating);
    }

    [Fact]
    public void Node_states_are_parsed_from_docker_ps_and_only_exited_or_created_nodes_are_started()
    {
        var plan = NodeContainers.Plan(NodeContainers.Parse("b|running\na|Exited\nc|created\nd|restarting\n\nnot a row\n"));

        Assert.Equal(["a", "c"], plan.ToStart);
        Assert.Empty(plan.Unusable);
    }

    const string Refused = "the Kubernetes API of kind-data-platform at https://127.0.0.1:6443 could not be read: Connection refused (127.0.0.1:6443)";

    [Fact]
    public async Task After_starting_the_nodes_the_API_server_is_waited_for_because_kubectl_wait_fails_at_once_on_a_refused_connection()
    {
        var (service, runner, console, api) = Service(new Contexts(Context));
        // A control plane just started refuses connections for a while (systemd, then the API server, boot first).
        runner.Answer(0, "data-platform-control-plane|exited\ndata-platform-worker|exited\n").Answer(0);
        api.FailNodes(Refused).FailNodes(Refused).AnswerNodes(Nodes("metallb-gateway", ready: "False"));

        await service.EnsureAsync(planning: false, default);

        Assert.Equal(3, api.NodeReads);
        Assert.Equal(WaitForNodes, Argv(runner).Last());
        Assert.DoesNotContain("cannot be read", console.Output);
    }

    [Fact]
    public async Task A_started_control_plane_that_never_answers_stops_the_build_bounded_with_what_hung_and_the_fix()
    {
        var (service, runner, _, api) = Service(new Contexts(Context), apiWait: TimeSpan.Zero);
        runner.Answer(0, "data-platform-control-plane|exited\n").Answer(0);
        api.FailNodes(Refused);

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => service.EnsureAsync(planning: false, default));

        Assert.Contains("API server did not answer", failure.Message);
        Assert.Contains("Connection refused", failure.Message);
        Assert.Contains("docker logs data-platform-control-plane", failure.Message);
        Assert.DoesNotContain(runner.Commands, c => c.Arguments.Contains("wait"));
    }
}
