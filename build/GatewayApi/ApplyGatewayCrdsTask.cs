using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.GatewayApi;

[TaskName("ApplyGatewayCrds")]
[TaskDescription("Server-side applies the pinned Gateway API CRDs (the version and channel gateway-api.yaml names), unless that bundle is already installed.")]
internal sealed class ApplyGatewayCrdsTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var cluster = context.ClusterOutcomeOrExisting;
        if (cluster.IsReachable) context.Kubeconfig.Read().Require(context.Target.Context);
        // On an existing cluster, CRDs the platform applies where there were none are labelled as its own (Purge removes only those).
        var someoneElses = context.Target.IsExisting && await ExistingCluster.CrdOwnership.GatewayBundlePresentAsync(context);
        await new GatewayCrdService(context.ClusterReads, context.Kubectl, context.GatewayApi, context.Console).EnsureAsync(context.Cancellation, clusterIsPlanned: !cluster.IsReachable);
        if (context.Target.IsExisting && !someoneElses && !context.Options.Plan) await ExistingCluster.CrdOwnership.LabelGatewayBundleAsync(context);
    }
}
