namespace DataPlatform.Build.KindCluster;

/// <summary>One kind node container as `docker ps` reports it.</summary>
internal sealed record NodeContainer(string Name, string State);

/// <summary>The cluster's node containers as the first step that looked saw them (null: docker could not list them), so the next step need not look again.</summary>
internal sealed record NodeContainersSeen(IReadOnlyList<NodeContainer>? Containers);

/// <summary>What to do about the node containers of an existing cluster before talking to it.</summary>
internal sealed record NodeStartPlan(IReadOnlyList<string> ToStart, IReadOnlyList<NodeContainer> Unusable);

/// <summary>
/// A reboot or a Docker restart can leave a kind cluster's node containers exited (kind gives them the restart policy
/// on-failure:1, which a clean daemon stop does not trigger). kind (0.14 and later) brings a node back with
/// `docker start`, new address included, so a second Up on Monday morning starts them instead of timing out on an API
/// that is not there.
/// </summary>
internal static class NodeContainers
{
    /// <summary>
    /// The cluster's node containers, or null when docker could not list them. kind's own `kind get clusters` (and
    /// `kind get nodes`) is this very query for the docker provider: the containers labelled io.x-k8s.kind.cluster
    /// (sigs.k8s.io/kind pkg/cluster/internal/providers/docker/provider.go, ListClusters and ListNodes), so a cluster
    /// exists exactly when it lists a node, and one process answers both whether it exists and which nodes are stopped.
    /// </summary>
    public static async Task<IReadOnlyList<NodeContainer>?> ListAsync(Tools.Docker docker, string cluster, CancellationToken ct)
    {
        var listed = await docker.RunAsync(Tools.Docker.KindNodeStatesCommand(cluster), ct);
        return listed.Succeeded ? Parse(listed.StandardOutput) : null;
    }

    /// <summary>`docker ps --format '{{.Names}}|{{.State}}'` lines; anything else is skipped.</summary>
    public static IReadOnlyList<NodeContainer> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|'))
            .Where(parts => parts.Length == 2 && parts[0].Length > 0)
            .Select(parts => new NodeContainer(parts[0], parts[1].ToLowerInvariant()))
            .ToList();

    /// <summary>
    /// Exited or created nodes are started; running and restarting ones are left to Docker. A paused node is the user's
    /// (docker pause) and a dead one cannot be started: both are reported, with their fix, instead of touched.
    /// </summary>
    public static NodeStartPlan Plan(IReadOnlyList<NodeContainer> nodes) => new(
        nodes.Where(n => n.State is "exited" or "created").Select(n => n.Name).Order(StringComparer.Ordinal).ToList(),
        nodes.Where(n => n.State is not ("running" or "restarting" or "exited" or "created")).ToList());

    /// <summary>kind names a cluster's control-plane containers &lt;cluster&gt;-control-plane, then -control-plane2, … (kind's pkg/cluster/internal/create).</summary>
    public static bool HasControlPlane(string cluster, IReadOnlyList<NodeContainer> nodes) =>
        nodes.Any(n => n.Name.StartsWith(cluster + "-control-plane", StringComparison.Ordinal));
}
