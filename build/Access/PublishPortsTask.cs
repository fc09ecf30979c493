using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Access;

[TaskName("PublishPorts")]
[TaskDescription("Published access mode (Docker Desktop, WSL2, rootless, Colima, Podman): forwards 127.0.0.1 ports to the LoadBalancers through a proxy container; direct mode: nothing.")]
internal sealed class PublishPortsTask : FrostingTask<BuildContext>
{
    /// <summary>Under --plan on a machine without the cluster there are no LoadBalancers to read yet.</summary>
    public override bool ShouldRun(BuildContext context) =>
        ExistingCluster.KindOnlyStep.Runs(context, "PublishPorts", "its LoadBalancer addresses are reached directly, no proxy on this machine") &&
        context.ClusterOutcomeOrExisting.IsReachable;

    public override async Task RunAsync(BuildContext context) => context.PublishedAccess = await AccessService.PublishAsync(context);
}
