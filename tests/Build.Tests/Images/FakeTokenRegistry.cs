using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace DataPlatform.Build.Tests.Images;

/// <summary>A registry that wants an anonymous bearer token first, as Docker Hub does: tag "1.27" exists, "rate-limited" answers 429, the rest 404.</summary>
sealed class FakeTokenRegistry : IAsyncDisposable
{
    const string Token = "anonymous-token";
    readonly HttpListener _listener = new();
    readonly CancellationTokenSource _stop = new();
    Task _loop = Task.CompletedTask;

    public Uri Url { get; private set; } = null!;
    public ConcurrentQueue<string> Requests { get; } = new();

    public static Task<FakeTokenRegistry> StartAsync()
    {
        var registry = new FakeTokenRegistry();
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        registry.Url = new Uri($"http://127.0.0.1:{port}/");
        registry._listener.Prefixes.Add(registry.Url.ToString());
        registry._listener.Start();
        registry._loop = Task.Run(registry.ServeAsync);
        return Task.FromResult(registry);
    }

    async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            var request = context.Request;
            var authorized = request.Headers["Authorization"] == "Bearer " + Token;
            Requests.Enqueue($"{request.HttpMethod} {request.RawUrl}{(authorized ? " with token" : "")}");
            var response = context.Response;
            if (request.Url!.AbsolutePath == "/token")
            {
                var body = System.Text.Encoding.UTF8.GetBytes($$"""{"token":"{{Token}}","expires_in":300}""");
                response.ContentType = "application/json";
                await response.OutputStream.WriteAsync(body);
            }
            else if (!authorized)
            {
                response.StatusCode = 401;
                response.Headers["WWW-Authenticate"] =
                    $"Bearer realm=\"{Url}token\",service=\"registry.docker.io\",scope=\"repository:{Repository(request.Url.AbsolutePath)}:pull\"";
            }
            else
                response.StatusCode = request.Url.AbsolutePath.EndsWith("/manifests/1.27") ? 200
                    : request.Url.AbsolutePath.EndsWith("/manifests/rate-limited") ? 429 : 404;
            response.Close();
        }
    }

    static string Repository(string path) => path["/v2/".Length..path.IndexOf("/manifests/", StringComparison.Ordinal)];

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop;
        _listener.Close();
    }
}
