using DataPlatform.Build.Access;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.KindCluster;
using DataPlatform.Build.Process;
using Spectre.Console;

namespace DataPlatform.Build.Clean;

[TaskName("Clean")]
[TaskDescription("Deletes the platform's kind cluster and its access proxy, nothing else; succeeds when there is none.")]
internal sealed class CleanTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
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
