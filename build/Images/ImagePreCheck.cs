using System.Text;
using DataPlatform.Build.Platform;
using Spectre.Console;

namespace DataPlatform.Build.Images;

/// <summary>
/// Before the first `helmfile apply`: every image the releases will run, asked of its registry. A missing image or tag
/// fails here, in seconds, naming the release, the image and the values key to change, instead of surfacing minutes
/// later as ImagePullBackOff. A rate limit or a registry that cannot be asked is a warning: the pull may still work.
/// </summary>
internal sealed class ImagePreCheck(RegistryClient registry, string root, IAnsiConsole console)
{
    const int Parallel = 4;

    public async Task RunAsync(string rendered, IReadOnlyList<Release> releases, CancellationToken ct)
    {
        var images = RenderedImages.Find(rendered, releases);
        if (images.Count == 0)
        {
            console.MarkupLine("[grey]image check: helmfile template rendered no container images.[/]");
            return;
        }
        var verdicts = await CheckAllAsync(images.Select(i => i.Image).Distinct(), ct);

        var missing = new StringBuilder();
        var warnings = 0;
        foreach (var (release, image) in images.OrderBy(i => i.Release, StringComparer.Ordinal).ThenBy(i => i.Image, StringComparer.Ordinal))
        {
            var (reference, status) = verdicts[image];
            switch (status.State)
            {
                case ImageState.Missing:
                    var key = reference is null ? null : ValuesKeyFinder.Find(root, reference);
                    missing.AppendLine($"  - release {release}: image {image}: {status.Detail}");
                    missing.AppendLine($"      change {(key ?? "the release's image setting in values/ (none there yet: the chart's default image is used; its values.yaml names the key)")}");
                    break;
                case ImageState.RateLimited or ImageState.Unverified:
                    warnings++;
                    console.MarkupLineInterpolated($"[yellow]image check: release {release}: {image} not verified: {status.Detail}.[/]");
                    break;
            }
        }
        if (missing.Length > 0)
            throw new BuildFailure($"image check: images the releases need do not exist, so their pods would never start (ImagePullBackOff):{Environment.NewLine}" +
                                   missing +
                                   "  next: fix the values above, then run the same target again; --skip-image-check deploys without asking the registries.");
        console.MarkupLineInterpolated($"[grey]image check: {images.Count - warnings} of {images.Count} images found in their registries{(warnings > 0 ? $", {warnings} not verified (warnings above)" : "")}.[/]");
    }

    async Task<Dictionary<string, (ImageReference? Reference, ImageStatus Status)>> CheckAllAsync(IEnumerable<string> images, CancellationToken ct)
    {
        var verdicts = new System.Collections.Concurrent.ConcurrentDictionary<string, (ImageReference?, ImageStatus)>();
        await System.Threading.Tasks.Parallel.ForEachAsync(images, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct }, async (image, token) =>
        {
            verdicts[image] = ImageReference.TryParse(image, out var problem) is { } reference
                ? (reference, await registry.CheckAsync(reference, token))
                : (null, new ImageStatus(ImageState.Missing, $"not a valid image reference ({problem})"));
        });
        return new Dictionary<string, (ImageReference?, ImageStatus)>(verdicts);
    }
}
