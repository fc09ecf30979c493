using System.Net;
using DataPlatform.Build.Host;
using DataPlatform.Build.Kube;

namespace DataPlatform.Build.Access;

/// <summary>
/// How this run reaches the platform: the access mode and, in published mode, what the proxy forwards. Verify's probes
/// and PrintHosts's lines go the way the user's browser, psql and S3 client go: the LoadBalancer address itself in
/// direct mode, 127.0.0.1 and the published host port in published mode.
/// </summary>
internal sealed record PublishedAccess(AccessDecision Decision, IReadOnlyList<ProxyForward> Forwards)
{
    public const string Loopback = "127.0.0.1";

    public bool Published => Decision.Mode == AccessMode.Published;

    /// <summary>The host port that reaches ip:port; the port itself in direct mode or when nothing publishes it.</summary>
    public int HostPort(string ip, int port) =>
        Published && Forwards.FirstOrDefault(f => f.TargetIp == ip && f.TargetPort == port) is { } forward ? forward.HostPort : port;

    /// <summary>The address a hosts line gives a name served at ip.</summary>
    public string Address(string ip) => Published ? Loopback : ip;

    /// <summary>
    /// Where a LoadBalancer address:port is reached from this machine. In published mode an unpublished port stays on its
    /// LoadBalancer address, which does not answer from here, so the probe fails naming that address. A host name (a
    /// cloud load balancer's, on an existing cluster) is dialled by name.
    /// </summary>
    public EndPoint Route(string address, int port) =>
        Published && Forwards.FirstOrDefault(f => f.TargetIp == address && f.TargetPort == port) is { } forward
            ? new IPEndPoint(IPAddress.Loopback, forward.HostPort)
            : LoadBalancer.EndPoint(address, port);
}
