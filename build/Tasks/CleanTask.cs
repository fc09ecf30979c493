using DataPlatform.Build.Frosting;
using DataPlatform.Build.Process;
using DataPlatform.Build.Services;
using Spectre.Console;

namespace DataPlatform.Build.Tasks;

[TaskName("Clean")]
[TaskDescription("Deletes the platform's kind cluster and nothing else; succeeds when there is none.")]
internal sealed class CleanTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        try
        {
            await new ClusterService(context.Kind, context.Kubectl, context.Kubeconfig, context.KindConfig, context.Console).CleanAsync(context.Cancellation);
        }
        catch (ToolNotFoundException e) when (e.Program == "kind")
        {
            context.Console.MarkupLine("kind is not installed, so there is no kind cluster to remove.");
        }
    }
}
