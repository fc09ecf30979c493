using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

internal sealed class Kind(IToolRunner runner)
{
    /// <summary>Pulling the node image on a slow link, starting the nodes, then kind's own --wait for the control plane.</summary>
    public static readonly TimeSpan CreateTimeout = TimeSpan.FromMinutes(20);
    public static readonly TimeSpan DeleteTimeout = TimeSpan.FromMinutes(5);

    public static ToolCommand GetClustersCommand() => new("kind", ["get", "clusters"]);

    /// <summary>How long the nodes may take to become Ready: kind create waits this long, and the build again after it.</summary>
    public static readonly TimeSpan NodesReadyTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// --name is the config's own name, passed anyway: without it kind takes KIND_CLUSTER_NAME from the environment over
    /// the config's `name:` (kind's internal/cli/override.go, called by cmd/kind/create/cluster/createcluster.go), and a
    /// user with that variable set would get a cluster this build never finds again. Every kind call names the cluster.
    /// </summary>
    public static ToolCommand CreateClusterCommand(string configPath, string name) =>
        new("kind", ["create", "cluster", "--name", name, "--config", configPath, "--wait", $"{(int)NodesReadyTimeout.TotalSeconds}s"])
        {
            Mutating = true,
            Streamed = true,
            Timeout = CreateTimeout,
            WhenHung = "Check that Docker answers (`docker info`) and has enough memory and disk (`docker system df`); " +
                       "a half-created cluster is removed by ./build.sh --target=Clean. Then run the same target again.",
        };

    public static ToolCommand DeleteClusterCommand(string name) =>
        new("kind", ["delete", "cluster", "--name", name])
        {
            Mutating = true,
            Streamed = true,
            Timeout = DeleteTimeout,
            WhenHung = $"Docker did not remove the cluster's containers: check `docker ps --filter label=io.x-k8s.kind.cluster={name}`, " +
                       "restart Docker if it is frozen, then run the same target again.",
        };

    /// <summary>The cluster's node containers, one a line; no cluster is an empty answer (kind says so on stderr, exit 0).</summary>
    public static ToolCommand GetNodesCommand(string name) => new("kind", ["get", "nodes", "--name", name]);

    public static ToolCommand ExportKubeconfigCommand(string name) =>
        new("kind", ["export", "kubeconfig", "--name", name]) { Mutating = true };

    /// <summary>
    /// kind's own diagnostics (pkg/cmd/kind/export/logs/logs.go): each node's journal, kubelet and containerd logs,
    /// its containers' and pods' logs, and docker info, into <paramref name="folder"/>. Read-only for the cluster.
    /// </summary>
    public static ToolCommand ExportLogsCommand(string name, string folder, TimeSpan timeout) =>
        new("kind", ["export", "logs", folder, "--name", name])
        {
            Timeout = timeout,
            WhenHung = "kind export logs runs docker exec on every node: check that Docker answers (`docker ps`).",
        };

    public async Task<IReadOnlyList<string>> GetClustersAsync(CancellationToken ct) =>
        (await runner.RunAsync(GetClustersCommand(), ct)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public async Task<IReadOnlyList<string>> GetNodesAsync(string name, CancellationToken ct) =>
        (await runner.RunAsync(GetNodesCommand(name), ct)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public Task CreateClusterAsync(string configPath, string name, CancellationToken ct) => runner.RunAsync(CreateClusterCommand(configPath, name), ct);

    public Task DeleteClusterAsync(string name, CancellationToken ct) => runner.RunAsync(DeleteClusterCommand(name), ct);

    public Task ExportKubeconfigAsync(string name, CancellationToken ct) => runner.RunAsync(ExportKubeconfigCommand(name), ct);
}
