using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using Spectre.Console;

namespace DataPlatform.Build.ImageCache;

[TaskName("StartImageCache")]
[TaskDescription("Runs the pull-through registry mirrors listed in kind-config.yaml on the host's Docker (kept across Clean), unless IMAGE_CACHE=off.")]
internal sealed class StartImageCacheTask : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) =>
        ExistingCluster.KindOnlyStep.Runs(context, "StartImageCache", "its mirrors serve kind's nodes; an existing cluster pulls its own way");

    public override async Task RunAsync(BuildContext context) => context.MirrorsObserved = await ProduceAsync(context);

    async Task<MirrorsObserved> ProduceAsync(BuildContext context)
    {
        if (!context.ImageCacheOn)
        {
            context.Console.MarkupLine($"Image cache: off ({ImageCacheSetting.Variable}=off); the nodes pull straight from the registries.");
            return new MirrorsObserved(null);
        }
        var service = ImageCacheService.Of(context);
        var unchanged = await service.EnsureRunningAsync(context.Cancellation);
        // Doctor, the first step of Up, already printed the cache's size in its table; alone, this step prints it.
        if (context.DoctorFindings?.Checks.Any(c => c.Name == ImageCacheCheck.Name) != true)
            await service.ReportSizeAsync(context.Cancellation);
        return new MirrorsObserved(unchanged);
    }
}

/// <summary>The mirror containers as StartImageCache found them, when it changed none of them (null otherwise): ConnectImageCache reuses the look.</summary>
internal sealed record MirrorsObserved(IReadOnlyList<MirrorContainer>? Unchanged);
