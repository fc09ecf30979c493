using DataPlatform.Build.Frosting;
using DataPlatform.Build.Services;

namespace DataPlatform.Build.Tasks;

[TaskName("CreateCluster")]
[TaskDescription("Creates the kind cluster described in kind-config.yaml, or leaves it if it exists, and waits for Ready nodes.")]
[IsDependentOn(typeof(StartImageCacheTask))]
internal sealed class CreateClusterTask : FrostingTask<BuildContext, ClusterOutcome>
{
    public override bool ShouldRun(BuildContext context) =>
        ExistingCluster.KindOnlyStep.Runs(context, "CreateCluster", "the cluster exists already, and kind is never run against it");

    public override async Task<ClusterOutcome> ProduceAsync(BuildContext context)
    {
        var service = new ClusterService(context.Kind, context.Kubectl, context.Docker, context.Kubeconfig, context.ClusterReads, context.KindConfig, context.Console);
        var action = await service.EnsureAsync(context.Options.Plan, context.Cancellation, context.Results.Find<NodeContainersSeen>()?.Containers);
        return new ClusterOutcome(action, context.Options.Plan) { NodeNames = service.NodeNames };
    }
}
