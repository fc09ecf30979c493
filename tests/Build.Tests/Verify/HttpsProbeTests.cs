using System.Net;
using System.Security.Cryptography.X509Certificates;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Verify;
using Microsoft.AspNetCore.Http;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>
/// A local TLS server (Kestrel) standing in for Traefik: its certificate names the route's host and is signed by a
/// test CA. The probe must accept it with that CA as the only root, and refuse it with any other CA.
/// </summary>
public sealed class HttpsProbeTests
{
    const string Host = "minio-console.data-platform.internal";

    [Fact]
    public async Task A_certificate_signed_by_the_platform_CA_is_accepted()
    {
        using var platformCa = TestCa("Data-Platform Root CA");
        await using var server = await TlsServer.StartAsync(Leaf(platformCa, Host));

        var result = await Probes.HttpsAsync($"https {Host}", Entry(server.Port, platformCa), new Uri($"https://{Host}:{server.Port}/"), CancellationToken.None);

        Assert.True(result.Passed, result.Detail);
        Assert.Equal(Host, server.LastSni);
    }

    [Fact]
    public async Task A_certificate_signed_by_another_CA_is_refused_with_the_reason()
    {
        using var platformCa = TestCa("Data-Platform Root CA");
        using var otherCa = TestCa("Some Other CA");
        await using var server = await TlsServer.StartAsync(Leaf(otherCa, Host));

        var result = await Probes.HttpsAsync($"https {Host}", Entry(server.Port, platformCa), new Uri($"https://{Host}:{server.Port}/"), CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Contains("does not chain to the platform CA", result.Detail);
        Assert.Contains("Some Other CA", result.Detail);
    }

    [Fact]
    public async Task A_certificate_for_another_name_is_refused()
    {
        using var platformCa = TestCa("Data-Platform Root CA");
        await using var server = await TlsServer.StartAsync(Leaf(platformCa, "elsewhere.example"));

        var result = await Probes.HttpsAsync($"https {Host}", Entry(server.Port, platformCa), new Uri($"https://{Host}:{server.Port}/"), CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Contains("does not name this host", result.Detail);
    }

    [Fact]
    public async Task Traefik_answering_404_means_no_route_and_fails()
    {
        using var platformCa = TestCa("Data-Platform Root CA");
        await using var server = await TlsServer.StartAsync(Leaf(platformCa, Host), status: 404);

        var result = await Probes.HttpsAsync($"https {Host}", Entry(server.Port, platformCa), new Uri($"https://{Host}:{server.Port}/"), CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Contains("answered 404", result.Detail);
    }

    static EntryPoint Entry(int port, X509Certificate2 ca) => new(new IPEndPoint(IPAddress.Loopback, port), [X509CertificateLoader.LoadCertificate(ca.RawData)]);

    static X509Certificate2 TestCa(string name) => TestCertificates.Ca(name);

    static X509Certificate2 Leaf(X509Certificate2 ca, string dnsName) => TestCertificates.Leaf(ca, dnsName);

    sealed class TlsServer : IAsyncDisposable
    {
        LoopbackServer _server = null!;
        public int Port => _server.Port;
        public string? LastSni { get; private set; }

        public static async Task<TlsServer> StartAsync(X509Certificate2 certificate, int status = 200)
        {
            var server = new TlsServer();
            server._server = await LoopbackServer.StartAsync(
                http => { http.Response.StatusCode = status; return http.Response.WriteAsync("ok"); },
                https => https.ServerCertificateSelector = (_, sni) => { server.LastSni = sni; return certificate; });
            return server;
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }
}
