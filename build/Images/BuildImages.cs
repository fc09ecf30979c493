using DataPlatform.Build.Access;
using DataPlatform.Build.ImageCache;
using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Images;

/// <summary>
/// The images the build pins itself and that are still to be pulled in this run. Only those that will be used are
/// listed: a pin this machine will not run (the proxy in direct mode, the mirrors with IMAGE_CACHE=off) must not stop
/// its Up, and every check is one more anonymous request against the registry's rate limit.
/// </summary>
internal static class BuildImages
{
    /// <param name="createsCluster">kind will create the cluster in this run, pulling the node image.</param>
    /// <param name="startsMirrors">the image cache is on and kind-config.yaml lists mirrors that StartImageCache will run.</param>
    /// <param name="publishes">published access mode: PublishPorts will run the HAProxy container.</param>
    public static IReadOnlyList<PinnedImage> ToPull(KindConfig kindConfig, bool createsCluster, bool startsMirrors, bool publishes)
    {
        var images = new List<PinnedImage>();
        if (createsCluster) images.AddRange(NodeImages(kindConfig));
        if (startsMirrors)
            images.Add(new PinnedImage(ImageCacheService.Image, "the image cache's mirror image", "build/Services/ImageCacheService.cs (ImageCacheService.Image)",
                $"confirm the digest with `docker buildx imagetools inspect {WithoutDigest(ImageCacheService.Image)}` on a machine with internet and put it there, " +
                $"or set {ImageCacheSetting.Variable}=off in .env.local to run without the image cache"));
        if (publishes)
            images.Add(new PinnedImage(PortProxyService.Image, "the access proxy image", "build/Access/PortProxyService.cs (PortProxyService.Image)",
                $"confirm the digest with `docker buildx imagetools inspect {WithoutDigest(PortProxyService.Image)}` on a machine with internet and put it there"));
        return images;
    }

    /// <summary>Each distinct node image, named by the line of kind-config.yaml that first sets it.</summary>
    static IEnumerable<PinnedImage> NodeImages(KindConfig kindConfig)
    {
        var file = Path.GetFileName(kindConfig.Path);
        foreach (var node in kindConfig.Nodes.Where(n => n.Image is not null).DistinctBy(n => n.Image))
            yield return new PinnedImage(node.Image!, "the kind node image", node.ImageLine is { } line ? $"{file} line {line}" : file,
                $"pin, on every node, the kindest/node image and digest that the release notes of the kind version in tools.yaml list");
    }

    static string WithoutDigest(string image) => image.Split('@')[0];
}
