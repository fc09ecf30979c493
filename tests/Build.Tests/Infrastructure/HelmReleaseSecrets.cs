using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>One helm release revision as a test seeds it: any status helm has (deployed, failed, pending-install, ...).</summary>
public sealed record FakeHelmRelease(string Name, string Namespace, int Revision, string Status)
{
    public string Chart { get; init; } = "demo";
    public string ChartVersion { get; init; } = "1.0.0";
    public string AppVersion { get; init; } = "1.0.0";
    /// <summary>The rendered objects; empty, so uninstall and rollback have nothing to delete or restore but the record.</summary>
    public string Manifest { get; init; } = "";
    public DateTimeOffset Updated { get; init; } = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    public string Description { get; init; } = "Install complete";
    /// <summary>The labels `helm upgrade --labels` set, kept beside helm's own on the record (secrets.go newSecretsObject: lbs.fromMap(rls.Labels)).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// helm's release storage in Secrets, byte for byte as helm writes it, so real `helm list`, `history`, `uninstall` and
/// `rollback` read what a test seeds. Copied from helm/helm pkg/storage/driver/secrets.go (newSecretsObject: Secret
/// sh.helm.release.v1.&lt;name&gt;.v&lt;revision&gt;, type helm.sh/release.v1, labels name, owner=helm, status,
/// version) and pkg/storage/driver/util.go (encodeRelease: the release's JSON, gzipped at best compression, base64;
/// the Secret's data then base64-encodes that string once more, as every Secret value is). The JSON field names are
/// those of pkg/release/release.go (Helm 3) and pkg/release/v1/release.go (Helm 4), which agree.
/// </summary>
public static class HelmReleaseSecrets
{
    public const string SecretType = "helm.sh/release.v1";

    public static string SecretName(string release, int revision) => $"sh.helm.release.v1.{release}.v{revision}";

    public static JsonObject Secret(FakeHelmRelease release) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject
        {
            ["name"] = SecretName(release.Name, release.Revision),
            ["namespace"] = release.Namespace,
            // The release's own labels first: helm sets its system labels after them (newSecretsObject), so those win.
            ["labels"] = new JsonObject(release.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)))
            {
                ["name"] = release.Name,
                ["owner"] = "helm",
                ["status"] = release.Status,
                ["version"] = release.Revision.ToString(CultureInfo.InvariantCulture),
                ["createdAt"] = release.Updated.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            },
        },
        ["type"] = SecretType,
        ["data"] = new JsonObject { ["release"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(Encode(ReleaseJson(release)))) },
    };

    /// <summary>The release record itself: the fields `helm list` and `helm history` print, and what rollback copies.</summary>
    public static JsonObject ReleaseJson(FakeHelmRelease release)
    {
        var at = release.Updated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["name"] = release.Name,
            ["info"] = new JsonObject
            {
                ["first_deployed"] = at,
                ["last_deployed"] = at,
                ["deleted"] = "",
                ["description"] = release.Description,
                ["status"] = release.Status,
            },
            ["chart"] = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = release.Chart,
                    ["version"] = release.ChartVersion,
                    ["appVersion"] = release.AppVersion,
                    ["apiVersion"] = "v2",
                    ["type"] = "application",
                },
                ["lock"] = null,
                ["templates"] = new JsonArray(),
                ["values"] = new JsonObject(),
                ["schema"] = null,
                ["files"] = new JsonArray(),
            },
            ["config"] = new JsonObject(),
            ["manifest"] = release.Manifest,
            ["version"] = release.Revision,
            ["namespace"] = release.Namespace,
        };
    }

    /// <summary>encodeRelease: JSON, gzip (best compression), base64.</summary>
    public static string Encode(JsonObject release)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(release.ToJsonString()));
        return Convert.ToBase64String(buffer.ToArray());
    }

    /// <summary>decodeRelease: base64, gunzip when it starts with gzip's magic bytes, JSON.</summary>
    public static JsonObject Decode(string encoded)
    {
        var bytes = Convert.FromBase64String(encoded);
        if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            gzip.CopyTo(plain);
            bytes = plain.ToArray();
        }
        return JsonNode.Parse(bytes)!.AsObject();
    }

    /// <summary>The release a stored Secret holds (its data.release decoded twice: the Secret's base64, then helm's).</summary>
    public static JsonObject FromSecret(JsonObject secret) =>
        Decode(Encoding.ASCII.GetString(Convert.FromBase64String(secret["data"]!["release"]!.GetValue<string>())));
}
