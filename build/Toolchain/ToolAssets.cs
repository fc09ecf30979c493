using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Toolchain;

/// <summary>How a download is packed: the bare executable, or a .tar.gz holding it (or, for a plugin, a whole folder).</summary>
internal enum AssetPacking { Executable, TarGz }

/// <summary>
/// Where one tool's release for one platform lives upstream, and how to check and unpack it.
/// <paramref name="ArchiveMember"/> is the executable's path inside a tarball, or the folder to take for a plugin.
/// </summary>
internal sealed record ToolAsset(string Tool, ToolVersion Version, Uri Url, Uri ChecksumUrl, AssetPacking Packing, string? ArchiveMember)
{
    /// <summary>The name the checksum file lists the download under.</summary>
    public string FileName => Url.Segments[^1];
}

/// <summary>The upstream URL patterns and checksum conventions of each tool (pure: pins and platform in, URLs out).</summary>
internal static class ToolAssets
{
    public static ToolAsset Kind(ToolVersion v, HostPlatform p)
    {
        // kind.sigs.k8s.io/dl redirects to the GitHub release; a "<hash>  kind-<os>-<arch>" file sits next to the binary.
        var url = new Uri($"https://kind.sigs.k8s.io/dl/{v}/kind-{p.Os}-{p.Arch}");
        return new("kind", v, url, new Uri(url + ".sha256sum"), AssetPacking.Executable, null);
    }

    public static ToolAsset Kubectl(ToolVersion v, HostPlatform p)
    {
        // The .sha256 next to kubectl holds the hash only.
        var url = new Uri($"https://dl.k8s.io/release/{v}/bin/{p.Os}/{p.Arch}/kubectl");
        return new("kubectl", v, url, new Uri(url + ".sha256"), AssetPacking.Executable, null);
    }

    public static ToolAsset Helm(ToolVersion v, HostPlatform p)
    {
        var url = new Uri($"https://get.helm.sh/helm-{v}-{p.Os}-{p.Arch}.tar.gz");
        return new("helm", v, url, new Uri(url + ".sha256sum"), AssetPacking.TarGz, $"{p.Os}-{p.Arch}/helm");
    }

    public static ToolAsset Helmfile(ToolVersion v, HostPlatform p)
    {
        // One checksums.txt per release lists every asset; asset names carry the version without its v.
        var release = $"https://github.com/helmfile/helmfile/releases/download/{v}/";
        return new("helmfile", v, new Uri($"{release}helmfile_{v.Bare}_{p.Os}_{p.Arch}.tar.gz"),
            new Uri($"{release}helmfile_{v.Bare}_checksums.txt"), AssetPacking.TarGz, "helmfile");
    }

    public static ToolAsset HelmDiff(ToolVersion v, HostPlatform p)
    {
        // helm-diff's goreleaser names macOS "macos", not "darwin"; the tarball wraps the plugin in a "diff" folder
        // (plugin.yaml + bin/diff). Its checksums.txt has been published with every release since 2025.
        var release = $"https://github.com/databus23/helm-diff/releases/download/{v}/";
        var os = p.Os == "darwin" ? "macos" : p.Os;
        return new("helm-diff", v, new Uri($"{release}helm-diff-{os}-{p.Arch}.tgz"),
            new Uri($"{release}helm-diff_{v.Bare}_checksums.txt"), AssetPacking.TarGz, "diff");
    }

    public static ToolAsset For(ToolPin pin, HostPlatform platform) => pin.Name switch
    {
        "kind" => Kind(pin.Version, platform),
        "kubectl" => Kubectl(pin.Version, platform),
        "helm" => Helm(pin.Version, platform),
        "helmfile" => Helmfile(pin.Version, platform),
        "helm-diff" => HelmDiff(pin.Version, platform),
        _ => throw new ArgumentException($"no download recipe for '{pin.Name}'"),
    };
}
