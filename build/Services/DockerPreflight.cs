using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Services;

/// <summary>Docker is checked, never installed: without a running daemon nothing else can work, so say so first.</summary>
public static class DockerPreflight
{
    public static async Task<string> RequireRunningDaemonAsync(Docker docker, CancellationToken ct)
    {
        ToolResult result;
        try { result = await docker.ServerVersionAsync(ct); }
        catch (ToolNotFoundException)
        {
            throw new BuildFailure("Docker is not installed. Install Docker Engine (https://docs.docker.com/engine/install/), then run ./build.sh --target=Up again.");
        }
        if (!result.Succeeded || string.IsNullOrWhiteSpace(result.StandardOutput))
        {
            var reason = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no answer";
            throw new BuildFailure($"Docker is not running ({reason}). Start it (sudo systemctl start docker, or open Docker Desktop), then run ./build.sh --target=Up again.");
        }
        return result.StandardOutput.Trim();
    }
}
