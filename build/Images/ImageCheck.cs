using DataPlatform.Build.Doctor;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Host;

namespace DataPlatform.Build.Images;

/// <summary>
/// The image check over the build's context: `helmfile template` for the releases' images, the build's own pins that
/// this run will pull, one registry question per distinct image, and the result recorded so no later step asks again.
/// </summary>
internal static class ImageCheck
{
    /// <summary>It ran in this build already (CheckImages before the cluster was created).</summary>
    public static bool AlreadyRan(BuildContext context) => context.ImagesChecked is not null;

    public static async Task RunAsync(BuildContext context, IReadOnlyDictionary<string, string> environment, IReadOnlyList<PinnedImage> pinned)
    {
        // Rendering fetches the charts (helm repo add: the internet) but sends nothing to the cluster: helmfile passes
        // no connection flags to `helm template`, which fakes in-cluster lookups. So it works before the cluster exists.
        var rendered = await context.HelmfileTool.TemplateAsync(environment, context.Cancellation);
        using var http = new HttpClient();
        var registry = new RegistryClient(http, ImageReference.DefaultEndpoint, RegistryClient.DefaultRequestTimeout);
        var asked = await new ImagePreCheck(registry, context.Root, context.Console)
            .RunAsync(rendered, context.HelmfileSpec.Releases, pinned, context.Cancellation);
        context.ImagesChecked = new ImagesChecked(asked);
    }

    /// <summary>Whether PublishPorts will run the access proxy. When the mode cannot be decided, the proxy's pin is checked too.</summary>
    public static async Task<bool> PublishesAsync(BuildContext context)
    {
        try { return (await DoctorService.AccessModeAsync(context)).Mode == AccessMode.Published; }
        catch (BuildFailure) { return true; }
    }
}
