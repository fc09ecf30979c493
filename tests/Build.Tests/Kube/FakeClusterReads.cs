using DataPlatform.Build.Kube;

namespace DataPlatform.Build.Tests.Kube;

/// <summary>The cluster's API as the unit tests describe it: each read answers what the test set, and the node reads are counted.</summary>
internal sealed class FakeClusterReads : IClusterReads
{
    readonly Queue<ClusterRead<IReadOnlyList<LiveNode>>> _nodes = new();
    ClusterRead<IReadOnlyList<LiveNode>> _lastNodes = new(null, "the fake API was given no node list");

    public int NodeReads { get; private set; }
    public ClusterRead<KubeObject> Crd { get; set; } = new(null, null);
    public ClusterRead<KubeObject> ConfigMap { get; set; } = new(null, null);

    /// <summary>The next node read answers this (a node list as JSON); the last one given repeats.</summary>
    public FakeClusterReads AnswerNodes(string nodeListJson)
    {
        _nodes.Enqueue(new(LiveNode.Parse(nodeListJson), null));
        return this;
    }

    /// <summary>The next node read fails with this problem (a refused connection, say).</summary>
    public FakeClusterReads FailNodes(string problem)
    {
        _nodes.Enqueue(new(null, problem));
        return this;
    }

    public Task<ClusterRead<IReadOnlyList<LiveNode>>> NodesAsync(CancellationToken ct)
    {
        NodeReads++;
        if (_nodes.Count > 0) _lastNodes = _nodes.Dequeue();
        return Task.FromResult(_lastNodes);
    }

    public Task<ClusterRead<KubeObject>> CustomResourceDefinitionAsync(string name, CancellationToken ct) => Task.FromResult(Crd);

    public Task<ClusterRead<KubeObject>> ConfigMapAsync(string ns, string name, CancellationToken ct) => Task.FromResult(ConfigMap);
}
