using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Services;
using Spectre.Console;

namespace DataPlatform.Build.Tasks;

[TaskName("StartImageCache")]
[TaskDescription("Runs the pull-through registry mirrors listed in kind-config.yaml on the host's Docker (kept across Clean), unless IMAGE_CACHE=off.")]
[IsDependentOn(typeof(CheckImagesTask))]
internal sealed class StartImageCacheTask : FrostingTask<BuildContext, MirrorsObserved>
{
    public override bool ShouldRun(BuildContext context) =>
        ExistingCluster.KindOnlyStep.Runs(context, "StartImageCache", "its mirrors serve kind's nodes; an existing cluster pulls its own way");

    public override async Task<MirrorsObserved> ProduceAsync(BuildContext context)
    {
        if (!context.ImageCacheOn)
        {
            context.Console.MarkupLine($"Image cache: off ({ImageCacheSetting.Variable}=off); the nodes pull straight from the registries.");
            return new MirrorsObserved(null);
        }
        var service = ImageCache.Of(context);
        var unchanged = await service.EnsureRunningAsync(context.Cancellation);
        // Doctor, the first step of Up, already printed the cache's size in its table; alone, this step prints it.
        if (context.HostReport?.Checks.Any(c => c.Name == Host.ImageCacheCheck.Name) != true)
            await service.ReportSizeAsync(context.Cancellation);
        return new MirrorsObserved(unchanged);
    }
}

/// <summary>The mirror containers as StartImageCache found them, when it changed none of them (null otherwise): ConnectImageCache reuses the look.</summary>
internal sealed record MirrorsObserved(IReadOnlyList<MirrorContainer>? Unchanged);

/// <summary>The image cache service over the context's Docker, kind and kind-config.yaml's mirrors.</summary>
internal static class ImageCache
{
    public static ImageCacheService Of(BuildContext context) =>
        new(context.Docker, context.Kind, context.KindConfig.Name, context.RegistryMirrors, context.Console);
}
