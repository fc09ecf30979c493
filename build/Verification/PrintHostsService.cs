using Spectre.Console;

using DataPlatform.Build.Services;

namespace DataPlatform.Build.Verification;

/// <summary>Builds the hosts lines from what is deployed, prints them, and optionally writes them into a hosts file's marked block.</summary>
public sealed class PrintHostsService(PlatformCluster cluster, string clusterName, string globalDomain, IAnsiConsole console)
{
    public async Task<IReadOnlyList<HostsLine>> RunAsync(string? hostsFile, CancellationToken ct)
    {
        var state = await ClusterReader.ReadAsync(cluster, [], ct);
        var lines = Lines(state, globalDomain);
        if (lines.Count == 0)
            throw new BuildFailure($"No route or LoadBalancer with an address on {cluster.Context} yet: nothing to put in a hosts file. " +
                "Run ./build.sh --target=Verify to see what is not ready.");

        console.MarkupLine("[bold]Add to /etc/hosts[/] (or run ./build.sh --target=PrintHosts --hosts-file=/etc/hosts with sudo):");
        foreach (var line in lines) console.WriteLine(line.ToString());

        if (hostsFile is not null)
        {
            try
            {
                var existing = File.Exists(hostsFile) ? await File.ReadAllTextAsync(hostsFile, ct) : "";
                var updated = HostsFile.ReplaceBlock(existing, clusterName, lines);
                if (updated != existing) await File.WriteAllTextAsync(hostsFile, updated, ct);
                console.MarkupLineInterpolated($"Wrote the {HostsFile.Begin(clusterName)} block of {hostsFile}.");
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                throw new BuildFailure($"Cannot write {hostsFile}: {e.Message}. Run the same command with sudo, or paste the lines above by hand.", e);
            }
        }
        return lines;
    }

    /// <summary>Web hostnames grouped by the LoadBalancer IP that serves them, plus &lt;service&gt;.&lt;domain&gt; for each PostgreSQL LoadBalancer.</summary>
    public static IReadOnlyList<HostsLine> Lines(ClusterState state, string globalDomain) =>
        HostsFile.Group(PlatformEndpoints.Hosts(state).Select(h => (h.Host, h.Ip))
            .Concat(PlatformEndpoints.Postgres(state).Select(p => ($"{p.Service}.{globalDomain}", p.Ip))));
}
