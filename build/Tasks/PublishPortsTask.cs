using DataPlatform.Build.Access;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Services;

namespace DataPlatform.Build.Tasks;

[TaskName("PublishPorts")]
[TaskDescription("Published access mode (Docker Desktop, WSL2, rootless, Colima, Podman): forwards 127.0.0.1 ports to the LoadBalancers through a proxy container; direct mode: nothing.")]
[IsDependentOn(typeof(HelmfileApplyTask))]
internal sealed class PublishPortsTask : FrostingTask<BuildContext, PublishedAccess>
{
    /// <summary>Under --plan on a machine without the cluster there are no LoadBalancers to read yet.</summary>
    public override bool ShouldRun(BuildContext context) =>
        ExistingCluster.KindOnlyStep.Runs(context, "PublishPorts", "its LoadBalancer addresses are reached directly, no proxy on this machine") &&
        (context.Results.Find<ClusterOutcome>() ?? ClusterOutcome.Existing).IsReachable;

    public override Task<PublishedAccess> ProduceAsync(BuildContext context) => AccessService.PublishAsync(context);
}
