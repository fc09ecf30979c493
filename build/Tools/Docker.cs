using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

/// <summary>docker, only ever read: the build checks the daemon and reads kind's network.</summary>
public sealed class Docker(IToolRunner runner)
{
    /// <summary>A running daemon answers docker info at once; a frozen one (Docker Desktop after sleep) never does.</summary>
    public static readonly TimeSpan InfoTimeout = TimeSpan.FromSeconds(30);

    public static ToolCommand ServerVersionCommand() =>
        new("docker", ["info", "--format", "{{.ServerVersion}}"])
        {
            AllowFailure = true,
            Timeout = InfoTimeout,
            WhenHung = "Is Docker frozen? Restart Docker Desktop (or: sudo systemctl restart docker), check that `docker info` answers, " +
                       "then run the same target again.",
        };

    public static ToolCommand NetworkSubnetsCommand(string network) =>
        new("docker", ["network", "inspect", network, "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}"]) { AllowFailure = true };

    public Task<ToolResult> ServerVersionAsync(CancellationToken ct) => runner.RunAsync(ServerVersionCommand(), ct);

    public Task<ToolResult> NetworkSubnetsAsync(string network, CancellationToken ct) => runner.RunAsync(NetworkSubnetsCommand(network), ct);
}
