using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;
using Spectre.Console;

namespace DataPlatform.Build.KindCluster;

internal enum ClusterAction { Create, RestoreContext, None }

/// <summary>
/// Observe → decide → act for the kind cluster. What it reads is injected (the kubeconfig reader, the cluster's API,
/// and kind/docker/kubectl over a runner), and the decisions are pure functions (<see cref="Decide"/>, <see cref="ClusterDiff.Compare"/>),
/// so every path is tested without processes. An existing cluster is never recreated: a destructive change is the
/// user's to make, so a cluster that differs from kind-config.yaml is described, with the commands that recreate it.
/// </summary>
internal sealed class ClusterService(Kind kind, Kubectl kubectl, Docker docker, IKubeconfigReader kubeconfig, IClusterReads cluster, KindConfig config, IAnsiConsole console,
    TimeSpan? apiPoll = null, TimeSpan? apiWait = null)
{
    /// <summary>How long a control plane just started with `docker start` may take to answer (it boots systemd, then the API server).</summary>
    public static readonly TimeSpan StartedApiTimeout = TimeSpan.FromMinutes(3);

    public static ClusterAction Decide(bool clusterExists, bool contextExists) =>
        !clusterExists ? ClusterAction.Create : contextExists ? ClusterAction.None : ClusterAction.RestoreContext;

    /// <summary>The names of the cluster's nodes as its API listed them in this run (kind names the node containers alike); null when it was not read.</summary>
    public IReadOnlyList<string>? NodeNames { get; private set; }

    /// <param name="seen">The node containers an earlier step of this run listed (CheckImages); null to list them here.</param>
    public async Task<ClusterAction> EnsureAsync(bool planning, CancellationToken ct, IReadOnlyList<NodeContainer>? seen = null)
    {
        var containers = seen ?? await NodeContainers.ListAsync(docker, config.Name, ct);
        var exists = containers is not null ? containers.Count > 0 : (await kind.GetClustersAsync(ct)).Contains(config.Name);
        // Before the context is restored or the nodes read: both need a running control plane.
        // When docker could not list them (kind answered instead) there is nothing to start or to judge.
        var started = exists && containers is not null && await StartStoppedNodesAsync(containers, ct);
        var action = Decide(exists, kubeconfig.Read().HasContext(config.ContextName));
        switch (action)
        {
            case ClusterAction.Create:
                await kind.CreateClusterAsync(config.Path, config.Name, ct);
                break;
            case ClusterAction.RestoreContext:
                console.MarkupLineInterpolated($"Cluster [bold]{config.Name}[/] exists but context {config.ContextName} is missing from your kubeconfig: restoring it.");
                await kind.ExportKubeconfigAsync(config.Name, ct);
                break;
        }
        // A planned context restore has not happened, so there is no context to read the nodes through yet.
        // A control plane just started needs tens of seconds before it answers (kubectl wait would fail at once on a
        // refused connection), so it is waited for here, bounded.
        ClusterRead<IReadOnlyList<LiveNode>>? nodes = null;
        if (started && !planning) nodes = await WaitForStartedApiAsync(ct);
        if (exists && !(planning && action == ClusterAction.RestoreContext))
            nodes = await CompareWithConfigAsync(nodes, ct);
        if (planning) return action;
        nodes ??= await cluster.NodesAsync(ct);
        NodeNames = nodes.Value?.Select(n => n.Name).ToList();
        // Nodes already Ready (every warm run) need no `kubectl wait`; otherwise it waits, bounded, and says for what.
        if (nodes.Value is not { Count: > 0 } list || !list.All(n => n.Ready))
            await kubectl.WaitForNodesReadyAsync(Kind.NodesReadyTimeout, ct);
        return action;
    }

    /// <summary>Starts the cluster's exited node containers (after a reboot, say); a node that cannot be started stops the build with its fix.</summary>
    async Task<bool> StartStoppedNodesAsync(IReadOnlyList<NodeContainer> containers, CancellationToken ct)
    {
        // kind lists a cluster while any of its node containers is left; without a control plane it is a husk that no
        // start brings back, and every later step would fail on a refused connection or a timeout.
        if (!NodeContainers.HasControlPlane(config.Name, containers))
            throw new BuildFailure(
                $"The node containers of cluster {config.Name} are gone: `{Docker.KindNodeStatesCommand(config.Name).Display}` shows " +
                $"no control plane, only {string.Join(", ", containers.Select(n => n.Name))}, so kind still lists the cluster" +
                " (removed by hand, or by a `docker system prune`?)." + Environment.NewLine +
                "  fix: run ./build.sh --target=Clean, then ./build.sh --target=Up; everything in the cluster is deployed again from the YAML.");
        var plan = NodeContainers.Plan(containers);
        if (plan.Unusable.Count > 0)
            throw new BuildFailure(
                $"Cluster {config.Name} exists, but some of its node containers cannot be started: " +
                string.Join(", ", plan.Unusable.Select(n => $"{n.Name} is {n.State}")) + "." + Environment.NewLine +
                (plan.Unusable.All(n => n.State == "paused")
                    ? $"  fix: docker unpause {string.Join(' ', plan.Unusable.Select(n => n.Name))}, then run the same target again."
                    : "  fix: recreate the cluster (./build.sh --target=Clean, then ./build.sh --target=Up); everything in it is deployed again from the YAML."));
        if (plan.ToStart.Count == 0) return false;
        console.MarkupLineInterpolated($"Cluster [bold]{config.Name}[/] exists but {string.Join(", ", plan.ToStart)} {(plan.ToStart.Count == 1 ? "is" : "are")} stopped (a reboot or a Docker restart does that): starting {(plan.ToStart.Count == 1 ? "it" : "them")}.");
        await docker.RunAsync(Docker.StartCommand([.. plan.ToStart]), ct);
        return true;
    }

    /// <summary>Polls the API server of nodes just started until it answers, for at most <see cref="StartedApiTimeout"/> (tests pass shorter times).</summary>
    async Task<ClusterRead<IReadOnlyList<LiveNode>>> WaitForStartedApiAsync(CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var result = await cluster.NodesAsync(ct);
            if (result.Succeeded) return result;
            var wait = apiWait ?? StartedApiTimeout;
            if (clock.Elapsed >= wait)
                throw new BuildFailure(
                    $"The node containers of cluster {config.Name} were started, but its API server did not answer within {wait.TotalSeconds:0} s ({result.Problem})." + Environment.NewLine +
                    $"  fix: check `docker logs {config.Name}-control-plane` and `kubectl --context {config.ContextName} get nodes`, then run the same target again; " +
                    "if it never answers, recreate the cluster (./build.sh --target=Clean, then ./build.sh --target=Up).");
            await Task.Delay(apiPoll ?? TimeSpan.FromSeconds(2), ct);
        }
    }

    /// <summary>Reads the live nodes (unless just read) and says what differs from kind-config.yaml; changes nothing.</summary>
    async Task<ClusterRead<IReadOnlyList<LiveNode>>> CompareWithConfigAsync(ClusterRead<IReadOnlyList<LiveNode>>? read, CancellationToken ct)
    {
        var result = read ?? await cluster.NodesAsync(ct);
        if (result.Value is not { } nodes)
        {
            console.MarkupLineInterpolated($"[yellow]Cluster {config.Name} exists, but its nodes cannot be read to compare them with {Path.GetFileName(config.Path)} ({result.Problem ?? "no node list"}).[/]");
            return result;
        }
        var differences = ClusterDiff.Compare(config, nodes);
        if (differences.Count == 0)
        {
            console.MarkupLineInterpolated($"Cluster [bold]{config.Name}[/] already exists and matches {Path.GetFileName(config.Path)}: leaving it as it is.");
            return result;
        }
        console.MarkupLineInterpolated($"[yellow]Cluster {config.Name} already exists but differs from {config.Path}:[/]");
        foreach (var difference in differences) console.MarkupLineInterpolated($"[yellow]  - {difference}[/]");
        console.MarkupLineInterpolated(
            $"[yellow]The build never recreates a cluster on its own (that deletes everything in it). To recreate it from {Path.GetFileName(config.Path)}: ./build.sh --target=Clean, then ./build.sh --target=Up. Continuing with the cluster as it is.[/]");
        return result;
    }

    /// <summary>Deletes the platform's cluster and nothing else; nothing to delete is a success.</summary>
    public async Task CleanAsync(CancellationToken ct)
    {
        if (!(await kind.GetClustersAsync(ct)).Contains(config.Name))
        {
            console.MarkupLineInterpolated($"No kind cluster named [bold]{config.Name}[/]: nothing to remove.");
            return;
        }
        await kind.DeleteClusterAsync(config.Name, ct);
    }
}
