using System.Text;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using Spectre.Console;

namespace DataPlatform.Build.Images;

/// <summary>
/// Before the first change that needs them: every image the releases will run, and every image the build pins itself
/// that this run will pull (<see cref="BuildImages"/>), asked of its registry. A missing image, tag or digest fails
/// here, in seconds, naming the release and the values key (or the file and constant of a pin) to change, instead of
/// surfacing minutes later as ImagePullBackOff or a failed `kind create cluster`. A rate limit or a registry that
/// cannot be asked is a warning: the pull may still work.
/// </summary>
internal sealed class ImagePreCheck(RegistryClient registry, string root, IAnsiConsole console)
{
    const int Parallel = 4;

    /// <returns>How many distinct images were asked about.</returns>
    public async Task<int> RunAsync(string rendered, IReadOnlyList<Release> releases, IReadOnlyList<PinnedImage> pinned, CancellationToken ct)
    {
        var images = RenderedImages.Find(rendered, releases);
        if (images.Count == 0 && pinned.Count == 0)
        {
            console.MarkupLine("[grey]image check: helmfile template rendered no container images.[/]");
            return 0;
        }
        var distinct = images.Select(i => i.Image).Concat(pinned.Select(p => p.Image)).Distinct().ToList();
        var verdicts = await CheckAllAsync(distinct, ct);

        var missing = new StringBuilder();
        var warnings = 0;
        foreach (var pin in pinned)
        {
            var (_, status) = verdicts[pin.Image];
            switch (status.State)
            {
                case ImageState.Missing:
                    missing.AppendLine($"  - {pin.Role} ({pin.Where}): image {pin.Image}: {status.Detail}");
                    missing.AppendLine($"      change {pin.Where}: {pin.Fix}");
                    break;
                case ImageState.RateLimited or ImageState.Unverified:
                    warnings++;
                    console.MarkupLineInterpolated($"[yellow]image check: {pin.Role} {pin.Image} not verified: {status.Detail}.[/]");
                    break;
            }
        }
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
            throw new BuildFailure($"image check: images this run needs do not exist, so they could never be pulled (ImagePullBackOff, or a failed kind create cluster); the build stops before anything pulls them:{Environment.NewLine}" +
                                   missing +
                                   "  next: make the changes above, then run the same target again; --skip-image-check goes on without asking the registries.");
        var total = images.Count + pinned.Count;
        console.MarkupLineInterpolated($"[grey]image check: {total - warnings} of {total} images found in their registries{(warnings > 0 ? $", {warnings} not verified (warnings above)" : "")}.[/]");
        return distinct.Count;
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
