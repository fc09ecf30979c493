using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using DataPlatform.Build.Kube;

namespace DataPlatform.Build.Verify;

/// <summary>
/// Talks HTTP(S) to hostnames without DNS or /etc/hosts: every connection goes to one endpoint (Traefik's LB IP:443
/// in the cluster, or a cloud load balancer's host name:443; 127.0.0.1:port in tests), while the URL keeps the real
/// name for SNI and the Host header.
/// Server certificates are checked against the given roots only, never the machine's trust store.
/// </summary>
internal sealed class EntryPoint(EndPoint endpoint, X509Certificate2Collection trustedRoots)
{
    public EndPoint Endpoint => endpoint;

    /// <summary>Where the connections go, for messages.</summary>
    public string Where => LoadBalancer.Describe(endpoint);

    /// <summary>Why the last certificate was refused (a handshake failure alone says only "SSL connection could not be established").</summary>
    public string? LastCertificateProblem { get; private set; }

    public SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(endpoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            LastCertificateProblem = CertificateProblem(certificate, chain, errors, trustedRoots);
            return LastCertificateProblem is null;
        };
        return handler;
    }

    public HttpClient CreateClient() => new(CreateHandler()) { Timeout = TimeSpan.FromSeconds(20) };

    /// <summary>Null when the certificate names the host and chains up to one of the roots; otherwise why not.</summary>
    public static string? CertificateProblem(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return "the server sent no certificate";
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return $"the certificate ({certificate.Subject}) does not name this host";
        // The system's verdict on the chain is ignored on purpose: only the platform's roots count.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null) chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        using var leaf = new X509Certificate2(certificate);
        if (chain.Build(leaf)) return null;
        var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
        return $"the certificate ({leaf.Subject}, issued by {leaf.Issuer}) does not chain to the platform CA: {status}";
    }

    public static X509Certificate2Collection ParsePem(string pem)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(pem);
        return roots;
    }
}
