using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

/// <summary>docker, only ever read: the build checks the daemon and reads kind's network.</summary>
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

    public Task<ToolResult> InfoAsync(CancellationToken ct) => runner.RunAsync(InfoCommand(), ct);

    public Task<ToolResult> ContainerAddressesAsync(string container, CancellationToken ct) => runner.RunAsync(ContainerAddressesCommand(container), ct);

    public Task<ToolResult> NetworkSubnetsAsync(string network, CancellationToken ct) => runner.RunAsync(NetworkSubnetsCommand(network), ct);
}
