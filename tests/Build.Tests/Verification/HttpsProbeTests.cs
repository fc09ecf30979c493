using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DataPlatform.Build.Verification;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataPlatform.Build.Tests.Verification;

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

    static X509Certificate2 TestCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    static X509Certificate2 Leaf(X509Certificate2 ca, string dnsName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), RandomNumberGenerator.GetBytes(8));
        // Round-trip through PKCS#12 so Kestrel's SslStream can use the key on every platform.
        return X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    sealed class TlsServer : IAsyncDisposable
    {
        readonly WebApplication _app;
        public int Port { get; }
        public string? LastSni { get; private set; }

        TlsServer(WebApplication app, int port) { _app = app; Port = port; }

        public static async Task<TlsServer> StartAsync(X509Certificate2 certificate, int status = 200)
        {
            TlsServer? server = null;
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
            {
                https.ServerCertificateSelector = (_, sni) => { server!.LastSni = sni; return certificate; };
            })));
            var app = builder.Build();
            app.Run(http => { http.Response.StatusCode = status; return http.Response.WriteAsync("ok"); });
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            server = new TlsServer(app, address.Port);
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
