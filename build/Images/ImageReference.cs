using System.Net;
using System.Text.RegularExpressions;

namespace DataPlatform.Build.Images;

/// <summary>
/// An image as a pod names it, read the way Docker does: a first component with a dot or a colon (or "localhost") is a
/// registry, anything else is on Docker Hub (docker.io, "library/" for a single name); no tag means "latest".
/// </summary>
internal sealed partial record ImageReference(string Original, string Registry, string Repository, string Reference)
{
    public const string DockerHub = "docker.io";

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$")]
    private static partial Regex DigestPattern();

    public bool IsDigest => Reference.Contains(':');

    /// <summary>The image, or null (with why) when no registry could be asked about it.</summary>
    public static ImageReference? TryParse(string image, out string problem)
    {
        problem = "";
        var rest = image.Trim();
        string? digest = null;
        var at = rest.IndexOf('@');
        if (at >= 0) { digest = rest[(at + 1)..]; rest = rest[..at]; }

        var slash = rest.IndexOf('/');
        var first = slash < 0 ? "" : rest[..slash];
        var registry = DockerHub;
        if (slash >= 0 && (first.Contains('.') || first.Contains(':') || first == "localhost"))
        {
            registry = first;
            rest = rest[(slash + 1)..];
        }
        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon >= 0) { tag = rest[(colon + 1)..]; rest = rest[..colon]; }
        if (registry == DockerHub && !rest.Contains('/')) rest = "library/" + rest;

        if (!RepositoryPattern().IsMatch(rest)) { problem = $"'{rest}' is not a valid repository name"; return null; }
        if (tag is not null && !TagPattern().IsMatch(tag)) { problem = $"'{tag}' is not a valid tag"; return null; }
        if (digest is not null && !DigestPattern().IsMatch(digest)) { problem = $"'{digest}' is not a valid digest"; return null; }
        return new ImageReference(image, registry, rest, digest ?? tag ?? "latest");
    }

    /// <summary>Where the registry's API answers: Docker Hub's API host, HTTP for a loopback registry (Docker's default insecure range), HTTPS otherwise.</summary>
    public static Uri DefaultEndpoint(string registryHost)
    {
        if (registryHost == DockerHub) return new Uri("https://registry-1.docker.io");
        var host = registryHost.StartsWith('[') ? registryHost[1..registryHost.IndexOf(']')] : registryHost.Split(':')[0];
        var loopback = host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
        return new Uri($"{(loopback ? "http" : "https")}://{registryHost}");
    }
}
