using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace DataPlatform.Build.Tests.Verification;

/// <summary>
/// Stand-in for a Kubernetes API server: Kestrel on 127.0.0.1, answering the GET paths Verify uses with
/// Kubernetes JSON. Known list paths answer an empty list unless a test sets them; anything else is 404, like an
/// API server without that CRD. Every request is recorded, so a test can prove which server was asked.
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    static readonly string[] EmptyLists =
    [
        "/api/v1/services", "/api/v1/pods", "/api/v1/persistentvolumeclaims", "/api/v1/secrets", "/api/v1/configmaps",
        "/apis/apps/v1/deployments", "/apis/apps/v1/daemonsets", "/apis/apps/v1/statefulsets",
        "/apis/networking.k8s.io/v1/ingresses", "/apis/networking.k8s.io/v1/ingressclasses",
    ];

    LoopbackServer _server = null!;
    readonly CancellationTokenSource _stopping = new();
    public ConcurrentDictionary<string, Func<string>> Responses { get; } = new();
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>
    /// The API server of a kind cluster whose control plane is wedged: it accepts the connection and the request,
    /// then never answers (until the test ends). Requests are still recorded.
    /// </summary>
    public bool Hangs { get; set; }

    public string Url => _server.BaseUrl;

    FakeKubernetesApi() { }

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var fake = new FakeKubernetesApi();
        fake._server = await LoopbackServer.StartAsync(async http =>
        {
            fake.Requests.Enqueue(http.Request.Path + http.Request.QueryString);
            if (fake.Hangs)
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, fake._stopping.Token);
                try { await Task.Delay(Timeout.Infinite, either.Token); } catch (OperationCanceledException) { }
                return;
            }
            http.Response.ContentType = "application/json";
            if (fake.Responses.TryGetValue(http.Request.Path.Value!, out var respond))
                await http.Response.WriteAsync(respond());
            else if (EmptyLists.Contains(http.Request.Path.Value))
                await http.Response.WriteAsync("""{"kind":"List","apiVersion":"v1","metadata":{},"items":[]}""");
            else
            {
                http.Response.StatusCode = 404;
                await http.Response.WriteAsync("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");
            }
        });
        return fake;
    }

    public void Set(string path, object body) => Responses[path] = () => k8s.KubernetesJson.Serialize(body);

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _server.DisposeAsync();
    }

    /// <summary>A port nothing listens on: bound, read, released.</summary>
    public static int ClosedPort() => LoopbackServer.FreePort();
}
