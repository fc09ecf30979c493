using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.KindCluster;

[TaskName("CreateCluster")]
[TaskDescription("Creates the kind cluster described in kind-config.yaml, or leaves it if it exists, and waits for Ready nodes.")]
internal sealed class CreateClusterTask : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) =>
        ExistingCluster.KindOnlyStep.Runs(context, "CreateCluster", "the cluster exists already, and kind is never run against it");

    public override async Task RunAsync(BuildContext context) => context.ClusterOutcome = await ProduceAsync(context);

    async Task<ClusterOutcome> ProduceAsync(BuildContext context)
    {
        var service = new ClusterService(context.Kind, context.Kubectl, context.Docker, context.Kubeconfig, context.ClusterReads, context.KindConfig, context.Console);
        var action = await service.EnsureAsync(context.Options.Plan, context.Cancellation, context.NodeContainersSeen?.Containers);
        return new ClusterOutcome(action, context.Options.Plan) { NodeNames = service.NodeNames };
    }
}
