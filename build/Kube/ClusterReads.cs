using System.Text.Json;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Process;
using k8s.Autorest;

namespace DataPlatform.Build.Kube;

/// <summary>One read of the cluster: the object (null when the API says it does not exist), or why it could not be read.</summary>
internal sealed record ClusterRead<T>(T? Value, string? Problem) where T : class
{
    public bool Succeeded => Problem is null;
}

/// <summary>What the build reads of one object: its name, labels and annotations, and a ConfigMap's data.</summary>
internal sealed record KubeObject(string Name, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations,
                                  IReadOnlyDictionary<string, string> Data)
{
    public static KubeObject From(JsonElement json) =>
        new(json.ObjectName(), json.StringMap("metadata", "labels"), json.StringMap("metadata", "annotations"), json.StringMap("data"));
}

/// <summary>
/// The reads Up makes of the platform's cluster on every run (its nodes, the Gateway API CRD, the applied record), in
/// process instead of one kubectl each: a warm Up then starts no process to look. Writes stay kubectl calls, so --plan
/// still prints them.
/// </summary>
internal interface IClusterReads
{
    Task<ClusterRead<IReadOnlyList<LiveNode>>> NodesAsync(CancellationToken ct);
    Task<ClusterRead<KubeObject>> CustomResourceDefinitionAsync(string name, CancellationToken ct);
    Task<ClusterRead<KubeObject>> ConfigMapAsync(string ns, string name, CancellationToken ct);
}

/// <summary>
/// <see cref="IClusterReads"/> through <see cref="PlatformCluster"/>: the platform's context of the kubeconfig as kubectl
/// reads it, never the current one, each request bounded by its timeout. The client is asked for at the first read, so
/// a context kind writes during this run is found.
/// </summary>
internal sealed class ApiClusterReads(Func<PlatformCluster> cluster) : IClusterReads
{
    public Task<ClusterRead<IReadOnlyList<LiveNode>>> NodesAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<LiveNode>>("api/v1/nodes", json => json.ListItems().Select(LiveNode.From).ToList(), ct);

    public Task<ClusterRead<KubeObject>> CustomResourceDefinitionAsync(string name, CancellationToken ct) =>
        ReadAsync($"apis/apiextensions.k8s.io/v1/customresourcedefinitions/{Uri.EscapeDataString(name)}", KubeObject.From, ct);

    public Task<ClusterRead<KubeObject>> ConfigMapAsync(string ns, string name, CancellationToken ct) =>
        ReadAsync($"api/v1/namespaces/{Uri.EscapeDataString(ns)}/configmaps/{Uri.EscapeDataString(name)}", KubeObject.From, ct);

    async Task<ClusterRead<T>> ReadAsync<T>(string path, Func<JsonElement, T> read, CancellationToken ct) where T : class
    {
        PlatformCluster platform;
        try { platform = cluster(); }
        catch (BuildFailure e) { return new(null, e.Message.Split('\n')[0]); }
        try
        {
            using var json = await platform.GetJsonAsync(path, ct);
            return new(read(json.RootElement), null);
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
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            return new(null, $"the Kubernetes API of {platform.Context} at {platform.Server} could not be read: {e.Message.Split('\n')[0]}");
        }
    }
}
