using DataPlatform.Build.Frosting;
using DataPlatform.Build.KindCluster;
using DataPlatform.Build.MetalLb;
using Spectre.Console;

namespace DataPlatform.Build.Images;

/// <summary>
/// Before a new cluster is created, so a dead image costs seconds, not a `kind create cluster`. On an existing
/// cluster Up leaves the check to HelmfileApply, which runs it only when it has to apply: a warm Up that changes
/// nothing renders no charts and asks no registry.
/// </summary>
[TaskName("CheckImages")]
[TaskDescription("Asks the registries, read-only, whether every image the run will pull exists: the releases' images (helmfile template), the kind node image, the image cache's mirror and the access proxy when they are used. Runs before anything changes when the cluster does not exist yet; on an existing cluster HelmfileApply runs it, only when it has to apply. --skip-image-check skips it.")]
internal sealed class CheckImagesTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context) => context.NodeContainersSeen = await ProduceAsync(context);

    async Task<NodeContainersSeen> ProduceAsync(BuildContext context)
    {
        if (context.Options.SkipImageCheck)
        {
            context.Console.MarkupLine("[grey]image check: skipped (--skip-image-check): no registry is asked.[/]");
            return new NodeContainersSeen(null);
        }
        // The cluster's node containers, as CreateCluster looks for them (and then reuses this look).
        // An existing cluster (PLATFORM_CONTEXT) exists by definition, and has no node containers to ask docker or kind about.
        var containers = context.Target.IsExisting ? null : await NodeContainers.ListAsync(context.Docker, context.KindConfig.Name, context.Cancellation);
        var exists = context.Target.IsExisting || (containers is not null ? containers.Count > 0 : (await context.Kind.GetClustersAsync(context.Cancellation)).Contains(context.KindConfig.Name));
        if (exists && context.HelmfileApplyFollows)
        {
            context.Console.MarkupLine("[grey]image check: the cluster exists, so HelmfileApply checks the images, and only if it has to apply.[/]");
            return new NodeContainersSeen(containers);
        }
        var pinned = BuildImages.ToPull(context.KindConfig,
            createsCluster: !exists,
            startsMirrors: context.Target.IsKind && context.ImageCacheOn && context.RegistryMirrors.Count > 0,
            publishes: await ImageCheck.PublishesAsync(context));
        var metalLb = DeploymentInputs.MetalLbRangeBeforeCluster(context.Variables);
        await ImageCheck.RunAsync(context, DeploymentInputs.HelmfileEnvironment(context.Variables, metalLb, context.RegistryHtpasswd), pinned);
        return new NodeContainersSeen(containers);
    }
}
