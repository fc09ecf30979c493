using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.ImageCache;

[TaskName("ConnectImageCache")]
[TaskDescription("Puts the mirrors on the kind network and writes each node's containerd hosts.toml so pulls go through them, unless IMAGE_CACHE=off.")]
internal sealed class ConnectImageCacheTask : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) =>
        ExistingCluster.KindOnlyStep.Runs(context, "ConnectImageCache", "there are no kind nodes to point at the mirrors");

    public override Task RunAsync(BuildContext context) =>
        context.ImageCacheOn
            ? ImageCacheService.Of(context).ConfigureNodesAsync(context.MirrorsObserved?.Unchanged,
                context.ClusterOutcome?.NodeNames, context.Cancellation)
            : Task.CompletedTask;
}
