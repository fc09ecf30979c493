using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>
/// Kestrel on 127.0.0.1 at a port the kernel picks, answering every request with one handler: the stand-in for a
/// server the build talks to (the Kubernetes API, a download mirror, Traefik's TLS). Logging is off so that a test's
/// output holds only what the build printed.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    readonly WebApplication _app;

    LoopbackServer(WebApplication app, Uri url) { _app = app; Url = url; }

    /// <summary>The server's address, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public Uri Url { get; }
    public string BaseUrl => Url.GetLeftPart(UriPartial.Authority);
    public int Port => Url.Port;

    /// <summary>Starts serving; with <paramref name="https"/> the port speaks TLS, configured by the caller.</summary>
    public static async Task<LoopbackServer> StartAsync(RequestDelegate handle, Action<HttpsConnectionAdapterOptions>? https = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (https is not null) listen.UseHttps(https);
        }));
        var app = builder.Build();
        app.Run(handle);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackServer(app, new Uri(address));
    }

    /// <summary>A loopback port nothing listens on: bound, read, released (a real server may take it next).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
