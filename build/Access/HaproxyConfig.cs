using System.Security.Cryptography;
using System.Text;

namespace DataPlatform.Build.Access;

/// <summary>
/// The proxy's configuration: HAProxy in TCP mode, one `listen` section per forward. TLS passes through untouched
/// (Traefik terminates it with the platform's certificates), and so does PostgreSQL's protocol.
/// </summary>
internal static class HaproxyConfig
{
    public static string Render(IReadOnlyList<ProxyForward> forwards)
    {
        var text = new StringBuilder();
        text.Append("""
            # Written by ./build.sh (published access mode): each host port reaches a LoadBalancer address on the kind network.
            global
                log stdout format raw local0 warning
                maxconn 4096

            defaults
                mode tcp
                log global
                timeout connect 5s
                timeout client 1h
                timeout server 1h

            """).Append('\n');
        foreach (var f in forwards)
        {
            text.Append($"# {f.Service} port {f.TargetPort} -> host 127.0.0.1:{f.HostPort}\n");
            text.Append($"listen host-{f.HostPort}\n");
            text.Append($"    bind :{f.ListenPort}\n");
            text.Append($"    server target {f.TargetIp}:{f.TargetPort}\n\n");
        }
        return text.ToString();
    }

    /// <summary>A short digest of everything that shapes the container: unchanged → the running proxy is left alone.</summary>
    public static string Hash(string config, string image, IEnumerable<ProxyForward> forwards)
    {
        var input = $"{image}\n{string.Join(',', forwards.Select(f => $"{f.HostPort}:{f.ListenPort}"))}\n{config}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input)))[..16];
    }
}
