using DataPlatform.Build.Frosting;
using DataPlatform.Build.Services;

namespace DataPlatform.Build.Tasks;

[TaskName("ApplyGatewayCrds")]
[TaskDescription("Server-side applies the pinned Gateway API CRDs (the version and channel gateway-api.yaml names), unless that bundle is already installed.")]
[IsDependentOn(typeof(CreateClusterTask))]
public sealed class ApplyGatewayCrdsTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        context.RequirePlatformContext();
        await new GatewayCrdService(context.Kubectl, context.GatewayApi, context.Console).EnsureAsync(context.Cancellation, context.ClusterIsPlanned);
    }
}
