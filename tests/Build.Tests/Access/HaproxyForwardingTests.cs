using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DataPlatform.Build.Access;
using DataPlatform.Build.Host;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Verify;
using k8s.Models;

namespace DataPlatform.Build.Tests.Access;

/// <summary>
/// The configuration the build renders for the published-mode proxy, run by a real HAProxy (Debian's, installed by
/// ./test.sh; the container runs the official image) on loopback: each forward's target is rewritten to a local TCP
/// server and its listen port to a free one, and bytes must flow both ways through every published port. No Docker.
/// </summary>
public sealed class HaproxyForwardingTests
{
    static string HaproxyBinary() =>
        new[] { "/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("haproxy is not installed: run ./test.sh (it installs Debian's haproxy) or apt-get install haproxy");

    [Fact]
    public async Task Bytes_flow_through_every_published_port_to_the_right_LoadBalancer()
    {
        var services = new List<V1Service>
        {
            ClusterScenario.LoadBalancer("traefik", "traefik", ClusterScenario.TraefikIp, new(), 80),
            ClusterScenario.LoadBalancer("postgresql", "pg-source", ClusterScenario.PgIp, new(), 5432),
            ClusterScenario.LoadBalancer("analytics", "trino", "172.18.255.247", new(), 8081),
        };
        services[0].Spec.Ports = [new V1ServicePort { Port = 80 }, new V1ServicePort { Port = 443 }];
        var plan = ProxyPlan.From(services, PublishedPorts.From(_ => null));
        Assert.Equal(4, plan.Forwards.Count);

        // One local server per LoadBalancer port, standing in for Traefik, PostgreSQL and the added service.
        var servers = plan.Forwards.ToDictionary(f => f, f => new TcpListener(IPAddress.Loopback, 0));
        foreach (var server in servers.Values) server.Start();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var serving = servers.Select(s => ServeAsync(s.Value, $"{s.Key.Service}:{s.Key.TargetPort}", stop.Token)).ToList();
        var rewritten = plan.Forwards.Select(f => f with { TargetIp = "127.0.0.1", TargetPort = ((IPEndPoint)servers[f].LocalEndpoint).Port, ListenPort = LoopbackServer.FreePort() }).ToList();
        var directory = Directory.CreateTempSubdirectory("haproxy-");
        var config = Path.Combine(directory.FullName, "haproxy.cfg");
        await File.WriteAllTextAsync(config, HaproxyConfig.Render(rewritten));

        var check = System.Diagnostics.Process.Start(new ProcessStartInfo(HaproxyBinary(), ["-c", "-f", config]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await check.WaitForExitAsync(stop.Token);
        Assert.True(check.ExitCode == 0, $"haproxy -c refused the rendered configuration:\n{await check.StandardError.ReadToEndAsync()}\n{File.ReadAllText(config)}");

        using var haproxy = System.Diagnostics.Process.Start(new ProcessStartInfo(HaproxyBinary(), ["-db", "-f", config]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            for (var i = 0; i < rewritten.Count; i++)
            {
                var original = plan.Forwards[i];
                var reply = await ExchangeAsync(rewritten[i].ListenPort, $"hello {i}", stop.Token);
                Assert.Equal($"{original.Service}:{original.TargetPort} got hello {i}", reply);
            }
        }
        finally
        {
            haproxy.Kill(entireProcessTree: true);
            await haproxy.WaitForExitAsync(CancellationToken.None);
            stop.Cancel();
            foreach (var server in servers.Values) server.Stop();
            directory.Delete(recursive: true);
        }
    }

    static async Task ServeAsync(TcpListener listener, string name, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(ct);
                var stream = client.GetStream();
                var buffer = new byte[256];
                var read = await stream.ReadAsync(buffer, ct);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{name} got {Encoding.ASCII.GetString(buffer, 0, read)}"), ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    /// <summary>Connects through the proxy (retrying while HAProxy starts) and returns what the server behind it answered.</summary>
    static async Task<string> ExchangeAsync(int port, string message, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, ct);
                var stream = client.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes(message), ct);
                var buffer = new byte[256];
                var read = await stream.ReadAsync(buffer, ct);
                if (read > 0) return Encoding.ASCII.GetString(buffer, 0, read);
            }
            catch (SocketException) { }
            await Task.Delay(100, ct);
        }
    }
}
