using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

/// <summary>
/// docker: the build checks the daemon and reads kind's network; the only containers it runs and removes are its own
/// (the published-mode access proxy), always through commands marked Mutating so --plan prints them.
/// </summary>
public sealed class Docker(IToolRunner runner)
{
    /// <summary>A running daemon answers docker info at once; a frozen one (Docker Desktop after sleep) never does.</summary>
    public static readonly TimeSpan InfoTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The whole `docker info` object in one call: engine, version, cgroups, memory, root dir, security options.</summary>
    public static ToolCommand InfoCommand() =>
        new("docker", ["info", "--format", "{{json .}}"])
        {
            AllowFailure = true,
            Timeout = InfoTimeout,
            WhenHung = "Is Docker frozen? Restart Docker Desktop (or: sudo systemctl restart docker), check that `docker info` answers, " +
                       "then run the same target again.",
        };

    /// <summary>A container's addresses on its networks, space separated; exit code 1 when there is no such container.</summary>
    public static ToolCommand ContainerAddressesCommand(string container) =>
        new("docker", ["inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", container]) { AllowFailure = true };

    public static ToolCommand NetworkSubnetsCommand(string network) =>
        new("docker", ["network", "inspect", network, "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}"]) { AllowFailure = true };

    public Task<ToolResult> InfoAsync(CancellationToken ct) => runner.RunAsync(InfoCommand(), ct);

    public Task<ToolResult> ContainerAddressesAsync(string container, CancellationToken ct) => runner.RunAsync(ContainerAddressesCommand(container), ct);

    public Task<ToolResult> NetworkSubnetsAsync(string network, CancellationToken ct) => runner.RunAsync(NetworkSubnetsCommand(network), ct);

    // ------------------------------------------------------------ the published-mode access proxy

    /// <summary>The proxy carries these labels: its owner (the kind cluster it serves), its configuration hash, its host ports.</summary>
    public const string ProxyOwnerLabel = "io.data-platform.access-proxy";
    public const string ProxyConfigLabel = "io.data-platform.access-proxy.config";
    public const string ProxyPortsLabel = "io.data-platform.access-proxy.ports";

    /// <summary>
    /// The proxy containers of this cluster, running or not, one a line: name|state|config hash|host ports.
    /// Found by label, so a container of someone else's that happens to have the same name is never taken for ours.
    /// </summary>
    public static ToolCommand ProxyListCommand(string cluster) =>
        new("docker", ["ps", "--all", "--filter", $"label={ProxyOwnerLabel}={cluster}",
            "--format", $"{{{{.Names}}}}|{{{{.State}}}}|{{{{.Label \"{ProxyConfigLabel}\"}}}}|{{{{.Label \"{ProxyPortsLabel}\"}}}}"]);

    /// <summary>
    /// Starts the proxy on the kind network, publishing each host port on 127.0.0.1 only (never on the LAN). The
    /// configuration travels in the environment and is written inside the container, so no file of this machine has to be
    /// shared with the engine's VM (Docker Desktop, Colima, a remote DOCKER_HOST).
    /// </summary>
    public static ToolCommand ProxyRunCommand(string name, string cluster, string network, string image, string configHash,
        IReadOnlyList<(int HostPort, int ListenPort)> ports, string config)
    {
        var arguments = new List<string>
        {
            "run", "--detach", "--name", name, "--network", network, "--restart", "unless-stopped",
            "--label", $"{ProxyOwnerLabel}={cluster}",
            "--label", $"{ProxyConfigLabel}={configHash}",
            "--label", $"{ProxyPortsLabel}={string.Join(',', ports.Select(p => p.HostPort))}",
        };
        foreach (var (hostPort, listenPort) in ports) arguments.AddRange(["--publish", $"127.0.0.1:{hostPort}:{listenPort}"]);
        arguments.AddRange(["--env", $"HAPROXY_CONFIG={config}", image,
            "sh", "-c", "printf '%s\\n' \"$HAPROXY_CONFIG\" > /tmp/haproxy.cfg && exec haproxy -db -f /tmp/haproxy.cfg"]);
        return new("docker", arguments) { Mutating = true, Timeout = TimeSpan.FromMinutes(5),
            WhenHung = "docker run pulls the proxy image first: check the network (or a registry mirror), then run the same target again." };
    }

    public static ToolCommand ProxyRemoveCommand(string name) => new("docker", ["rm", "--force", name]) { Mutating = true };

    public Task<ToolResult> ProxyListAsync(string cluster, CancellationToken ct) => runner.RunAsync(ProxyListCommand(cluster) with { AllowFailure = true }, ct);

    /// <summary>Failures are returned, so the caller can name the port or network that refused.</summary>
    public Task<ToolResult> ProxyRunAsync(string name, string cluster, string network, string image, string configHash,
        IReadOnlyList<(int HostPort, int ListenPort)> ports, string config, CancellationToken ct) =>
        runner.RunAsync(ProxyRunCommand(name, cluster, network, image, configHash, ports, config) with { AllowFailure = true }, ct);

    public Task<ToolResult> ProxyRemoveAsync(string name, CancellationToken ct) => runner.RunAsync(ProxyRemoveCommand(name) with { AllowFailure = true }, ct);
}
