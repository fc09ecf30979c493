namespace DataPlatform.Build.Platform;

/// <summary>gateway-api.yaml: the one place the Gateway API CRD bundle version (and where to fetch it) is kept.</summary>
public sealed record GatewayApiSpec(string Version, string Url)
{
    public static GatewayApiSpec Load(string path)
    {
        var doc = YamlFile.Read<Document>(path);
        if (string.IsNullOrWhiteSpace(doc.Version) || string.IsNullOrWhiteSpace(doc.Url))
            throw new ConfigFileException(path, "needs both `version:` (e.g. v1.5.1) and `url:` (with {version} where the version goes).");
        var spec = new GatewayApiSpec(doc.Version, doc.Url.Replace("{version}", doc.Version));
        if (spec.Channel is null)
            throw new ConfigFileException(path, $"`url:` ({doc.Url}) must name a release asset <channel>-install.yaml (experimental-install.yaml or standard-install.yaml): the channel is read from it.");
        return spec;
    }

    /// <summary>The bundle's channel, as the release asset's name says it: experimental-install.yaml → experimental.</summary>
    public string? Channel => ChannelOf(Url);

    public static string? ChannelOf(string url)
    {
        var file = url.Split('?', '#')[0].TrimEnd('/').Split('/')[^1];
        const string suffix = "-install.yaml";
        return file.EndsWith(suffix, StringComparison.Ordinal) && file.Length > suffix.Length ? file[..^suffix.Length] : null;
    }

    sealed class Document
    {
        public string? Version { get; set; }
        public string? Url { get; set; }
    }
}
