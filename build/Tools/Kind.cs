using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

public sealed class Kind(IToolRunner runner)
{
    public static ToolCommand GetClustersCommand() => new("kind", ["get", "clusters"]);

    /// <summary>The name comes from the config file itself; passing --name too could only disagree with it.</summary>
    public static ToolCommand CreateClusterCommand(string configPath) =>
        new("kind", ["create", "cluster", "--config", configPath, "--wait", "5m"]) { Mutating = true, Streamed = true };

    public static ToolCommand DeleteClusterCommand(string name) =>
        new("kind", ["delete", "cluster", "--name", name]) { Mutating = true, Streamed = true };

    /// <summary>The cluster's node containers, one a line; no cluster is an empty answer (kind says so on stderr, exit 0).</summary>
    public static ToolCommand GetNodesCommand(string name) => new("kind", ["get", "nodes", "--name", name]);

    public static ToolCommand ExportKubeconfigCommand(string name) =>
        new("kind", ["export", "kubeconfig", "--name", name]) { Mutating = true };

    public async Task<IReadOnlyList<string>> GetClustersAsync(CancellationToken ct) =>
        (await runner.RunAsync(GetClustersCommand(), ct)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public async Task<IReadOnlyList<string>> GetNodesAsync(string name, CancellationToken ct) =>
        (await runner.RunAsync(GetNodesCommand(name), ct)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public Task CreateClusterAsync(string configPath, CancellationToken ct) => runner.RunAsync(CreateClusterCommand(configPath), ct);

    public Task DeleteClusterAsync(string name, CancellationToken ct) => runner.RunAsync(DeleteClusterCommand(name), ct);

    public Task ExportKubeconfigAsync(string name, CancellationToken ct) => runner.RunAsync(ExportKubeconfigCommand(name), ct);
}
