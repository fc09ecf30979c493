using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

/// <summary>
/// docker: the build checks the daemon, reads kind's network, and runs its own containers: the image cache's mirrors
/// and the published-mode access proxy (kind creates the nodes). Every call is an argv array; the changing ones are
/// Mutating, so --plan prints them.
/// </summary>
internal sealed class Docker(IToolRunner runner)
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
        new("docker", ["inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", container])
        {
            AllowFailure = true,
            Timeout = InfoTimeout,
            WhenHung = "Is Docker frozen? Restart Docker Desktop (or: sudo systemctl restart docker), check that `docker ps` answers, " +
                       "then run the same target again.",
        };

    public static ToolCommand NetworkSubnetsCommand(string network) =>
        new("docker", ["network", "inspect", network, "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}"]) { AllowFailure = true };

    /// <summary>Every container carrying the label, running or not, one JSON object a line (docker ps's own format).</summary>
    public static ToolCommand ListContainersCommand(string label) =>
        new("docker", ["ps", "--all", "--no-trunc", "--filter", $"label={label}", "--format", "{{json .}}"]);

    public static ToolCommand ListVolumesCommand(string label) =>
        new("docker", ["volume", "ls", "--filter", $"label={label}", "--format", "{{.Name}}"]);

    public static ToolCommand CreateVolumeCommand(string name, IReadOnlyDictionary<string, string> labels) =>
        new("docker", ["volume", "create", .. Labels(labels), name]) { Mutating = true };

    /// <summary>A detached container that restarts with the daemon, so the cache is there after a reboot.</summary>
    public static ToolCommand RunDetachedCommand(string name, string image, string network, string volume, string mountPath,
        IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> environment) =>
        new("docker", ["run", "--detach", "--name", name, "--restart", "unless-stopped", "--network", network,
            "--volume", $"{volume}:{mountPath}", .. Labels(labels),
            .. environment.OrderBy(kv => kv.Key, StringComparer.Ordinal).SelectMany(kv => new[] { "--env", $"{kv.Key}={kv.Value}" }),
            image])
        {
            Mutating = true,
            // The first run pulls the registry image (about 20 MB) before it starts the container.
            Timeout = TimeSpan.FromMinutes(5),
            WhenHung = "check that Docker can pull registry:3.0.0 (docker pull works, no proxy needed), then run ./build.sh --target=Up again",
        };

    public static ToolCommand StartCommand(params string[] names) => new("docker", ["start", .. names])
    {
        Mutating = true,
        Timeout = TimeSpan.FromMinutes(2),
        WhenHung = "check that `docker ps` answers (restart Docker Desktop, or: sudo systemctl restart docker), then run the same target again.",
    };

    /// <summary>kind labels every node container with the name of its cluster.</summary>
    public const string KindClusterLabel = "io.x-k8s.kind.cluster";

    /// <summary>The kind cluster's node containers, running or not, one a line: name|state (running, exited, paused...).</summary>
    public static ToolCommand KindNodeStatesCommand(string cluster) =>
        new("docker", ["ps", "--all", "--filter", $"label={KindClusterLabel}={cluster}", "--format", "{{.Names}}|{{.State}}"])
        {
            AllowFailure = true,
            Timeout = InfoTimeout,
            WhenHung = "Is Docker frozen? Restart Docker Desktop (or: sudo systemctl restart docker), check that `docker ps` answers, " +
                       "then run the same target again.",
        };

    public static ToolCommand RemoveContainersCommand(IEnumerable<string> names) =>
        new("docker", ["rm", "--force", .. names]) { Mutating = true };

    public static ToolCommand RemoveVolumesCommand(IEnumerable<string> names) =>
        new("docker", ["volume", "rm", .. names]) { Mutating = true };

    public static ToolCommand ConnectNetworkCommand(string network, string container) =>
        new("docker", ["network", "connect", network, container]) { Mutating = true };

    /// <summary>
    /// The SHA-256 of each file, one `&lt;hash&gt;  &lt;path&gt;` line per file that exists (coreutils, in every kind node image):
    /// one process per node however many files it compares. A missing file is named on stderr and exits 1 (AllowFailure).
    /// </summary>
    public static ToolCommand ChecksumFilesCommand(string container, IReadOnlyList<string> paths) =>
        new("docker", ["exec", container, "sha256sum", .. paths]) { AllowFailure = true };

    /// <summary>
    /// Writes files inside a container in one exec, without a shell-quoted string: each path and its content travel as
    /// positional arguments of `sh -c`, and each file is replaced by a rename so containerd never reads half of it.
    /// The first file that cannot be written stops the rest and fails the command.
    /// </summary>
    public static ToolCommand WriteFilesCommand(string container, IReadOnlyList<(string Path, string Content)> files) =>
        new("docker", ["exec", container, "sh", "-c",
            "while [ \"$#\" -ge 2 ]; do mkdir -p \"$(dirname \"$1\")\" && printf '%s' \"$2\" > \"$1.tmp\" && mv \"$1.tmp\" \"$1\" || exit 1; shift 2; done",
            "sh", .. files.SelectMany(f => new[] { f.Path, f.Content })])
        { Mutating = true };

    /// <summary>The daemon's disk usage, volumes included; works for any user allowed to talk to the daemon (no root, no du).</summary>
    public static ToolCommand DiskUsageCommand() => new("docker", ["system", "df", "--verbose"])
    {
        // The daemon sizes every volume and image; on a large Docker that takes a while, and it is only a report.
        Timeout = TimeSpan.FromMinutes(2),
        AllowFailure = true,
    };

    static IEnumerable<string> Labels(IReadOnlyDictionary<string, string> labels) =>
        labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).SelectMany(kv => new[] { "--label", $"{kv.Key}={kv.Value}" });

    public Task<ToolResult> InfoAsync(CancellationToken ct) => runner.RunAsync(InfoCommand(), ct);

    public Task<ToolResult> ContainerAddressesAsync(string container, CancellationToken ct) => runner.RunAsync(ContainerAddressesCommand(container), ct);

    public Task<ToolResult> NetworkSubnetsAsync(string network, CancellationToken ct) => runner.RunAsync(NetworkSubnetsCommand(network), ct);

    public Task<ToolResult> RunAsync(ToolCommand command, CancellationToken ct) => runner.RunAsync(command, ct);

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
