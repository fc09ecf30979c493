using DataPlatform.Build.Frosting;
namespace DataPlatform.Build.Toolchain;

/// <summary>
/// DATA_PLATFORM_TOOLS_MIRROR=&lt;base URL&gt; replaces the scheme and host (and port) of every upstream URL and keeps
/// its path, so a mirror lays files out as upstream does: https://get.helm.sh/helm-v4.3.0-linux-amd64.tar.gz becomes
/// &lt;mirror&gt;/helm-v4.3.0-linux-amd64.tar.gz. A path in the mirror URL (an Artifactory repository, say) is kept as a prefix.
/// </summary>
internal static class MirrorUrl
{
    public const string Variable = "DATA_PLATFORM_TOOLS_MIRROR";

    public static Uri Apply(Uri upstream, string? mirror)
    {
        if (string.IsNullOrWhiteSpace(mirror)) return upstream;
        if (!Uri.TryCreate(mirror.Trim(), UriKind.Absolute, out var baseUri) || (baseUri.Scheme != "http" && baseUri.Scheme != "https"))
            throw new BuildFailure($"{Variable} is '{mirror}', which is not an http(s) URL. Set it to a base URL such as https://mirror.example.com/tools, or unset it to download from upstream.");
        var prefix = baseUri.AbsolutePath.TrimEnd('/');
        return new UriBuilder(baseUri.Scheme, baseUri.Host, baseUri.Port, prefix + upstream.AbsolutePath) { Query = upstream.Query.TrimStart('?') }.Uri;
    }
}
