using DataPlatform.Build.Services;
using Spectre.Console;

namespace DataPlatform.Build.Toolchain;

/// <summary>Checks the tools the platform needs. (Minimal: presence on PATH. Pinned installs come with issue 4.)</summary>
public static class ToolchainService
{
    public static readonly string[] Required = ["kind", "kubectl", "helm", "helmfile"];

    public static async Task EnsureAsync(BuildContext context)
    {
        var docker = await DockerPreflight.RequireRunningDaemonAsync(context.Docker, context.Cancellation);
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var missing = Required.Where(tool => !path.Any(dir => File.Exists(Path.Combine(dir, tool)))).ToList();
        if (missing.Count > 0)
            throw new BuildFailure($"missing tools: {string.Join(", ", missing)}. Install them (see README, Requirements) and run ./build.sh --target=Up again.");
        context.Console.MarkupLineInterpolated($"Docker {docker} is running; {string.Join(", ", Required)} found.");
    }
}
