using DataPlatform.Build.Process;
using DataPlatform.Build.Tests.Infrastructure;

namespace DataPlatform.Build.Tests.RealTools;

internal static class RealToolsAssertions
{
    /// <summary>
    /// The command pinned the platform's context: the kubeconfig's current-context is the decoy, whose server must have
    /// heard nothing, while the platform context's server was asked. (Over plain http, kubectl and helm send no
    /// Authorization header, as observed with these binaries, so the server dialed is what tells the contexts apart.)
    /// </summary>
    public static void OnlyPlatformContextAsked(RealToolsWorld world, bool expectRequests = true)
    {
        Assert.True(world.Decoy.Requests.Count == 0, "the decoy current-context was asked:\n" + world.Traffic());
        if (expectRequests) Assert.True(world.Api.Requests.Count > 0, "the platform's API was never asked:\n" + world.Traffic());
    }

    public static void Succeeded(ToolResult result, ToolCommand command)
    {
        Assert.True(result.Succeeded, $"{command.Display} exited {result.ExitCode}:\n{result.StandardError}\n{result.StandardOutput}");
    }
}
