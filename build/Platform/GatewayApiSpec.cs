namespace DataPlatform.Build.Platform;

/// <summary>gateway-api.yaml: the one place the Gateway API CRD bundle version (and where to fetch it) is kept.</summary>
public sealed record GatewayApiSpec(string Version, string Url)
{
    public static GatewayApiSpec Load(string path)
    {
        var doc = YamlFile.Read<Document>(path);
        if (string.IsNullOrWhiteSpace(doc.Version) || string.IsNullOrWhiteSpace(doc.Url))
            throw new ConfigFileException(path, "needs both `version:` (e.g. v1.5.1) and `url:` (with {version} where the version goes).");
        return new GatewayApiSpec(doc.Version, doc.Url.Replace("{version}", doc.Version));
    }

    sealed class Document
    {
        public string? Version { get; set; }
        public string? Url { get; set; }
    }
}
