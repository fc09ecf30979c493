namespace DataPlatform.Build.KindCluster;

/// <summary>
/// What CreateCluster decided, handed to the steps after it. Under --plan a cluster it would create (or a context it
/// would restore) does not exist yet, so those steps plan against nothing instead of querying it.
/// </summary>
internal sealed record ClusterOutcome(ClusterAction Action, bool Planned)
{
    /// <summary>When CreateCluster did not run (a step run alone), the cluster is expected to be there already.</summary>
    public static readonly ClusterOutcome Existing = new(ClusterAction.None, Planned: false);

    /// <summary>The nodes the cluster's API listed in this run (kind's node containers carry the same names); null when not read.</summary>
    public IReadOnlyList<string>? NodeNames { get; init; }

    /// <summary>The cluster and its context exist now, so steps may query it.</summary>
    public bool IsReachable => !Planned || Action == ClusterAction.None;
}
