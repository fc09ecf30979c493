using DataPlatform.Build.Frosting;
using DataPlatform.Build.ImageCache;
using DataPlatform.Build.Process;
using Spectre.Console;

namespace DataPlatform.Build.Clean;

[TaskName("Purge")]
[TaskDescription("Clean, then removes the image cache's mirror containers and their volumes (only those kind-config.yaml names and the build labelled).")]
[IsDependentOn(typeof(CleanTask))]
internal sealed class PurgeTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        if (context.Target.IsExisting)
        {
            // Clean, run before it, already removed the CRDs too; alone (--exclusive), Purge does Clean's work with them.
            if (context.ExistingClusterCleaned) return;
            var clean = new ExistingCluster.ExistingClusterClean(context);
            clean.Confirm("Purge", ExistingCluster.ExistingClusterClean.IsInteractive, System.Console.ReadLine);
            await clean.CleanAsync(purge: true, context.Cancellation);
            return;
        }
        try
        {
            await ImageCacheService.Of(context).PurgeAsync(context.Cancellation);
        }
        catch (ToolNotFoundException e) when (e.Program == "docker")
        {
            context.Console.MarkupLine("docker is not installed, so there is no image cache to remove.");
        }
    }
}
