using DataPlatform.Build.Frosting;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DataPlatform.Build.Kube;

/// <summary>One read of the cluster: the object (null when the API says it does not exist), or why it could not be read.</summary>
internal sealed record ClusterRead<T>(T? Value, string? Problem) where T : class
{
    public bool Succeeded => Problem is null;
}

/// <summary>
/// The reads Up makes of the platform's cluster on every run (its nodes, the Gateway API CRD, the applied record), in
/// process through KubernetesClient instead of one kubectl each: a warm Up then starts no process to look. Writes stay
/// kubectl calls, so --plan still prints them.
/// </summary>
internal interface IClusterReads
{
    Task<ClusterRead<IReadOnlyList<V1Node>>> NodesAsync(CancellationToken ct);
    Task<ClusterRead<V1CustomResourceDefinition>> CustomResourceDefinitionAsync(string name, CancellationToken ct);
    Task<ClusterRead<V1ConfigMap>> ConfigMapAsync(string ns, string name, CancellationToken ct);
}

/// <summary>
/// <see cref="IClusterReads"/> through <see cref="PlatformCluster"/>: the platform's context of the kubeconfig as kubectl
/// reads it, never the current one, each request bounded by its timeout. The client is asked for at the first read, so
/// a context kind writes during this run is found.
/// </summary>
internal sealed class ApiClusterReads(Func<PlatformCluster> cluster) : IClusterReads
{
    public Task<ClusterRead<IReadOnlyList<V1Node>>> NodesAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<V1Node>>(async c => (await c.Client.CoreV1.ListNodeAsync(cancellationToken: ct)).Items.ToList(), ct);

    public Task<ClusterRead<V1CustomResourceDefinition>> CustomResourceDefinitionAsync(string name, CancellationToken ct) =>
        ReadAsync(c => c.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: ct), ct);

    public Task<ClusterRead<V1ConfigMap>> ConfigMapAsync(string ns, string name, CancellationToken ct) =>
        ReadAsync(c => c.Client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: ct), ct);

    async Task<ClusterRead<T>> ReadAsync<T>(Func<PlatformCluster, Task<T>> read, CancellationToken ct) where T : class
    {
        PlatformCluster platform;
        try { platform = cluster(); }
        catch (BuildFailure e) { return new(null, e.Message.Split('\n')[0]); }
        try
        {
            return new(await read(platform), null);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return new(null, null);
        }
        catch (HttpOperationException e)
        {
            return new(null, $"the Kubernetes API of {platform.Context} at {platform.Server} answered {(int)e.Response.StatusCode} {e.Response.ReasonPhrase}");
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is OperationCanceledException)
        {
            return new(null, $"the Kubernetes API of {platform.Context} at {platform.Server} did not answer within {platform.RequestTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Text.Json.JsonException)
        {
            return new(null, $"the Kubernetes API of {platform.Context} at {platform.Server} could not be read: {e.Message.Split('\n')[0]}");
        }
    }
}
