using DataPlatform.Build.Access;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.KindCluster;
using DataPlatform.Build.Process;
using Spectre.Console;

namespace DataPlatform.Build.Clean;

[TaskName("Clean")]
[TaskDescription("Deletes the platform's kind cluster and its access proxy, nothing else; succeeds when there is none. On an existing cluster (PLATFORM_CONTEXT), after --yes or the context's name typed: uninstalls the platform's releases and deletes the namespaces it labelled, never the cluster.")]
internal sealed class CleanTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        if (context.Target.IsExisting)
        {
            // An existing cluster (PLATFORM_CONTEXT): only what the platform put there goes, never the cluster, never kind or docker.
            var purge = context.PurgeFollows;
            var clean = new ExistingCluster.ExistingClusterClean(context);
            clean.Confirm(purge ? "Purge" : "Clean", ExistingCluster.ExistingClusterClean.IsInteractive, System.Console.ReadLine);
            await clean.CleanAsync(purge, context.Cancellation);
            context.ExistingClusterCleaned = true;
            return;
        }
        try
        {
            await AccessService.RemoveAsync(context);
        }
        catch (ToolNotFoundException e) when (e.Program == "docker")
        {
            context.Console.MarkupLine("docker is not installed, so there is no access proxy to remove.");
        }
        try
        {
            await new ClusterService(context.Kind, context.Kubectl, context.Docker, context.Kubeconfig, context.ClusterReads, context.KindConfig, context.Console).CleanAsync(context.Cancellation);
        }
        catch (ToolNotFoundException e) when (e.Program == "kind")
        {
            context.Console.MarkupLine("kind is not installed, so there is no kind cluster to remove.");
        }
    }
}
