using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Verify;
using Spectre.Console;


namespace DataPlatform.Build.PrintHosts;

/// <summary>Builds the hosts lines from what is deployed, prints them, and optionally writes them into a hosts file's marked block.</summary>
internal sealed class PrintHostsService(PlatformCluster cluster, string clusterName, string globalDomain, IAnsiConsole console)
{
    /// <summary>Where a browser on Windows looks up names, as WSL mounts it.</summary>
    public const string WindowsHostsFile = "/mnt/c/Windows/System32/drivers/etc/hosts";

    /// <summary>The kernel's release string (uname -r); WSL's contains "microsoft". Settable for tests.</summary>
    public string KernelRelease { get; init; } = ReadKernelRelease();

    /// <summary>The address a hosts line gives a name served at a LoadBalancer IP: the IP itself, or 127.0.0.1 in published mode.</summary>
    public Func<string, string> Address { get; init; } = ip => ip;

    /// <summary>The host port that reaches a LoadBalancer IP:port (the published port in published mode).</summary>
    public Func<string, int, int> HostPort { get; init; } = (_, port) => port;

    /// <summary>Why the lines point where they do, when that is not the LoadBalancer addresses (published mode).</summary>
    public string? AccessNote { get; init; }

    public bool RunsUnderWsl => KernelRelease.Contains("microsoft", StringComparison.OrdinalIgnoreCase);

    public async Task<IReadOnlyList<HostsLine>> RunAsync(string? hostsFile, CancellationToken ct)
    {
        var state = await ClusterReader.ReadAsync(cluster, [], ct);
        var lines = Lines(state, globalDomain, Address);
        if (lines.Count == 0)
            throw new BuildFailure($"No route or LoadBalancer with an address on {cluster.Context} yet: nothing to put in a hosts file. " +
                "Run ./build.sh --target=Verify to see what is not ready.");

        console.MarkupLine("[bold]Add to /etc/hosts[/] (or run ./build.sh --target=PrintHosts --hosts-file=/etc/hosts with sudo):");
        foreach (var line in lines) console.WriteLine(line.ToString());
        if (AccessNote is not null) console.MarkupLineInterpolated($"[grey]{AccessNote}[/]");
        PrintUrls(state);
        if (RunsUnderWsl)
            console.MarkupLine("[yellow]WSL:[/] " + Markup.Escape(
                $"browsers on Windows read C:\\Windows\\System32\\drivers\\etc\\hosts ({WindowsHostsFile}), not /etc/hosts. " +
                $"Changing it needs Windows administrator rights (sudo in WSL is not enough): paste the lines into it from an editor run as administrator, " +
                $"or start the WSL terminal as administrator and run ./build.sh --target=PrintHosts --hosts-file={WindowsHostsFile}."));

        if (hostsFile is not null)
        {
            var result = HostsFileWriter.Update(hostsFile, clusterName, existing => HostsFile.ReplaceBlock(existing, clusterName, lines, IsPlatformName));
            var shown = result.WrittenPath == Path.GetFullPath(hostsFile) ? hostsFile : $"{hostsFile} (→ {result.WrittenPath})";
            if (!result.Changed)
                console.MarkupLineInterpolated($"The {HostsFile.Begin(clusterName)} block of {shown} is already up to date: nothing written.");
            else
                console.WriteLine($"Wrote the {HostsFile.Begin(clusterName)} block of {shown}" +
                    (result.BackupPath is null ? "." : $"; the previous file is in {result.BackupPath}."));
        }
        return lines;
    }

    /// <summary>A hostname the platform serves: one under GLOBAL_DOMAIN. Only such lines may be taken for ours without markers.</summary>
    bool IsPlatformName(string name) => name.EndsWith("." + globalDomain, StringComparison.OrdinalIgnoreCase);

    /// <summary>Web hostnames grouped by the LoadBalancer IP that serves them, plus &lt;service&gt;.&lt;domain&gt; for each PostgreSQL LoadBalancer.</summary>
    public static IReadOnlyList<HostsLine> Lines(ClusterState state, string globalDomain) => Lines(state, globalDomain, ip => ip);

    /// <summary>The same, each LoadBalancer IP replaced by the address this machine reaches it at.</summary>
    public static IReadOnlyList<HostsLine> Lines(ClusterState state, string globalDomain, Func<string, string> address) =>
        HostsFile.Group(PlatformEndpoints.Hosts(state).Select(h => (h.Host, h.Address is null ? null : address(h.Address)))
            .Concat(PlatformEndpoints.Postgres(state).Select(p => ($"{p.Service}.{globalDomain}", p.Address is null ? (string?)null : address(p.Address)))));

    /// <summary>
    /// The addresses to open once the hosts lines are in place: https://name/ for each web name (with the port when it
    /// is not 443, as in published mode with PLATFORM_HTTPS_PORT), host:port for each PostgreSQL LoadBalancer.
    /// </summary>
    public IReadOnlyList<string> Urls(ClusterState state)
    {
        var traefikAddress = PlatformEndpoints.Traefik(state) is { } traefik ? LoadBalancer.Address(traefik) : null;
        var urls = new List<string>();
        foreach (var host in PlatformEndpoints.Hosts(state))
        {
            if ((host.Address ?? traefikAddress) is not { } ip) continue;
            var port = HostPort(ip, 443);
            urls.Add($"https://{host.Host}{(port == 443 ? "" : $":{port}")}{host.Path}");
        }
        foreach (var target in PlatformEndpoints.Postgres(state))
            if (target.Address is { } ip)
                urls.Add($"postgresql://{target.Service}.{globalDomain}:{HostPort(ip, target.Port)}/ ({target.Namespace}/{target.Cluster}; login in secret {target.AppSecret})");
        return urls;
    }

    void PrintUrls(ClusterState state)
    {
        var urls = Urls(state);
        if (urls.Count == 0) return;
        console.MarkupLine("[bold]Then open:[/]");
        foreach (var url in urls) console.WriteLine("  " + url);
    }

    static string ReadKernelRelease()
    {
        try { return File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : ""; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }
}
