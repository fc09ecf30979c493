using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Verify;
using k8s.Models;
using Spectre.Console;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// PrintHosts on an existing cluster whose GLOBAL_DOMAIN is a real domain, or whose load balancer gives a host name (a
/// hosts file holds addresses only): the DNS records to create instead of hosts lines, an A record per name served at an
/// address, a CNAME per name served at a cloud load balancer's host name.
/// </summary>
internal static class DnsRecords
{
    /// <summary>
    /// Names that never resolve in public DNS, so only a hosts file can serve them: RFC 6761 (test, localhost, invalid,
    /// example), RFC 6762 (local), ICANN's .internal (2024), RFC 8375 (home.arpa), and the common private lan.
    /// </summary>
    static readonly string[] PrivateSuffixes = ["internal", "local", "localhost", "test", "invalid", "example", "home.arpa", "lan"];

    public static bool IsPublicDomain(string domain) =>
        !PrivateSuffixes.Any(s => domain.Equals(s, StringComparison.OrdinalIgnoreCase) || domain.EndsWith("." + s, StringComparison.OrdinalIgnoreCase));

    /// <summary>"name. 300 IN A ip" or "name. 300 IN CNAME host.", one per name the platform serves, sorted.</summary>
    public static IReadOnlyList<string> Records(ClusterState state, string globalDomain)
    {
        var traefik = PlatformEndpoints.Traefik(state) is { } service ? LoadBalancer.Address(service) : null;
        var names = PlatformEndpoints.Hosts(state).Select(h => (h.Host, Address: h.Address ?? traefik))
            .Concat(state.Services.Where(s => s.Spec?.Type == "LoadBalancer" && PlatformEndpoints.Postgres(state).Any(p => p.Service == s.Name() && p.Namespace == s.Namespace()))
                .Select(s => ($"{s.Name()}.{globalDomain}", Address: LoadBalancer.Address(s))));
        return names.Where(n => n.Address is not null).DistinctBy(n => n.Item1).OrderBy(n => n.Item1, StringComparer.Ordinal)
            .Select(n => System.Net.IPAddress.TryParse(n.Address, out _) ? $"{n.Item1}. 300 IN A {n.Address}" : $"{n.Item1}. 300 IN CNAME {n.Address}.")
            .ToList();
    }

    /// <summary>True when it printed the records (PrintHosts then prints no hosts lines).</summary>
    public static async Task<bool> PrintIfWantedAsync(BuildContext context, string globalDomain)
    {
        if (context.Target.IsKind) return false;
        var state = await ClusterReader.ReadAsync(context.Cluster, [], context.Cancellation);
        var records = Records(state, globalDomain);
        if (!IsPublicDomain(globalDomain) && records.All(r => r.Contains(" IN A "))) return false;
        if (records.Count == 0)
            throw new BuildFailure($"No route or LoadBalancer with an address on {context.Target.Context} yet: no DNS record to create. Run ./build.sh --target=Verify to see what is not ready.");
        context.Console.MarkupLineInterpolated($"[bold]Create these DNS records[/] in the zone of {globalDomain} (a hosts file cannot hold a load balancer's host name, and a real domain is served by DNS):");
        foreach (var record in records) context.Console.WriteLine(record);
        return true;
    }
}
