using System.Text.RegularExpressions;

namespace DataPlatform.Build.Platform;

/// <summary>gateway-api.yaml: the one place the Gateway API CRD bundle version (and where to fetch it) is kept.</summary>
internal sealed partial record GatewayApiSpec(string Version, string Url)
{
    public const string FileName = "gateway-api.yaml";

    [GeneratedRegex(@"^v\d{1,9}\.\d{1,9}\.\d{1,9}$")]
    private static partial Regex ReleaseTag();

    public static GatewayApiSpec Load(string path)
    {
        var problems = new List<ConfigProblem>();
        var spec = Read(path, problems);
        ConfigFileException.ThrowIfAny(problems);
        return spec!;
    }

    /// <summary>The bundle's channel, as the release asset's name says it: experimental-install.yaml → experimental.</summary>
    public string? Channel => ChannelOf(Url);

    public static string? ChannelOf(string url)
    {
        var file = url.Split('?', '#')[0].TrimEnd('/').Split('/')[^1];
        const string suffix = "-install.yaml";
        return file.EndsWith(suffix, StringComparison.Ordinal) && file.Length > suffix.Length ? file[..^suffix.Length] : null;
    }

    internal static GatewayApiSpec? Read(string path, List<ConfigProblem> problems)
    {
        var fields = new YamlFields(System.IO.Path.GetFileName(path), problems);
        var root = fields.Mapping(YamlFile.Read(path, problems, "version: and url:"), "the document", "a mapping with version: and url:");
        if (root is null) return null;
        fields.UnknownKeys(root, "", ["version", "url"], "gateway-api.yaml");

        var version = fields.RequiredText(root, "version", "version", "a release tag like v1.5.1", "write the Gateway API release, e.g. `version: v1.5.1`.");
        if (version is not null && !ReleaseTag().IsMatch(version))
        {
            fields.Add(YamlFields.Get(root, "version")!, $"version '{version}' is not a Gateway API release tag like v1.5.1.");
            version = null;
        }

        var url = fields.RequiredText(root, "url", "url", "a URL", "write where the CRD bundle is downloaded, with {version} where the version goes.");
        if (url is not null)
        {
            var urlNode = YamlFields.Get(root, "url")!;
            if (!url.Contains("{version}"))
                fields.Add(urlNode, "url has no {version}: write {version} where the release goes, so the version is kept in one place (version:).");
            else if (!Uri.TryCreate(url.Replace("{version}", version ?? "v0.0.0"), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
                fields.Add(urlNode, $"url '{url}' is not an http(s) address.");
            else if (ChannelOf(url) is null)
                fields.Add(urlNode, $"url ({url}) must name a release asset <channel>-install.yaml (experimental-install.yaml or standard-install.yaml): the channel is read from it.");
        }

        return version is null || url is null ? null : new GatewayApiSpec(version, url.Replace("{version}", version));
    }
}
