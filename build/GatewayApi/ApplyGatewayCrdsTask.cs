using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.GatewayApi;

[TaskName("ApplyGatewayCrds")]
[TaskDescription("Server-side applies the pinned Gateway API CRDs (the version and channel gateway-api.yaml names), unless that bundle is already installed.")]
internal sealed class ApplyGatewayCrdsTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var cluster = context.ClusterOutcomeOrExisting;
        if (cluster.IsReachable) context.Kubeconfig.Read().Require(context.KindConfig.ContextName);
        await new GatewayCrdService(context.ClusterReads, context.Kubectl, context.GatewayApi, context.Console).EnsureAsync(context.Cancellation, clusterIsPlanned: !cluster.IsReachable);
    }
}
