using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DataPlatform.Build.Platform;
using k8s;

namespace DataPlatform.Build.Kube;

/// <summary>One revision of a helm release, as helm's storage records it: never its values or manifest.</summary>
internal sealed record HelmRevisionRecord(string Release, string Namespace, int Revision, string Status, string? Chart, string? Description, DateTimeOffset? Updated)
{
    /// <summary>The record's labels less helm's own (name, owner, status, version, createdAt, modifiedAt): those `--labels` set.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public string Id => $"{Namespace}/{Release}";
}

/// <summary>
/// Reads helm's release records in-process, the way helm's storage drivers keep them (helm/helm pkg/storage/driver/
/// secrets.go and cfgmaps.go): one object per revision named sh.helm.release.v1.&lt;name&gt;.v&lt;revision&gt;,
/// labelled owner=helm, name, status and version, whose `release` holds base64(gzip(the release's JSON)). Only the
/// release's info (status, description, times) and chart name are taken from that JSON: its values and manifest hold
/// the platform's secrets and are never kept. HELM_DRIVER=configmap reads ConfigMaps; sql and memory cannot be read
/// from the cluster (null).
/// </summary>
internal static class HelmReleaseRecords
{
    /// <summary>Where helm keeps releases under this HELM_DRIVER: "secret", "configmap", or null (sql, memory).</summary>
    public static string? Storage(string? helmDriver) => helmDriver?.Trim().ToLowerInvariant() switch
    {
        null or "" or "secret" or "secrets" => "secret",
        "configmap" or "configmaps" => "configmap",
        _ => null,
    };

    /// <summary>helm's own labels on a record (pkg/storage/driver/util.go systemLabels); every other label is the release's.</summary>
    static readonly string[] SystemLabels = ["name", "owner", "status", "version", "createdAt", "modifiedAt"];

    /// <summary>Every revision of one release, oldest first; empty when helm never installed it.</summary>
    public static async Task<IReadOnlyList<HelmRevisionRecord>> HistoryAsync(IKubernetes client, string storage, Release release, CancellationToken ct) =>
        (await RecordsAsync(client, storage, release.Namespace, $"owner=helm,name={release.Name}", ct)).OrderBy(r => r.Revision).ToList();

    /// <summary>The latest revision of every release helm keeps in <paramref name="ns"/>, whoever installed it.</summary>
    public static async Task<IReadOnlyList<HelmRevisionRecord>> LatestInAsync(IKubernetes client, string storage, string ns, CancellationToken ct) =>
        (await RecordsAsync(client, storage, ns, "owner=helm", ct))
            .GroupBy(r => r.Release).Select(g => g.MaxBy(r => r.Revision)!).OrderBy(r => r.Release, StringComparer.Ordinal).ToList();

    static async Task<List<HelmRevisionRecord>> RecordsAsync(IKubernetes client, string storage, string ns, string selector, CancellationToken ct)
    {
        var records = new List<HelmRevisionRecord>();
        if (storage == "configmap")
        {
            var maps = await client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: selector, cancellationToken: ct);
            foreach (var map in maps.Items)
                records.Add(Record(ns, map.Metadata.Labels, map.Data.Find("release")));
        }
        else
        {
            var secrets = await client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: selector, cancellationToken: ct);
            foreach (var secret in secrets.Items)
            {
                var payload = secret.Data.Find("release") is { } bytes ? Encoding.ASCII.GetString(bytes) : null;
                records.Add(Record(ns, secret.Metadata.Labels, payload));
            }
        }
        return records;
    }

    static HelmRevisionRecord Record(string ns, IDictionary<string, string>? labels, string? payload)
    {
        var revision = int.TryParse(labels.Find("version"), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
        var status = labels.Find("status") ?? "unknown";
        var (chart, description, updated) = Info(payload);
        return new HelmRevisionRecord(labels.Find("name") ?? "", ns, revision, status, chart, description, updated)
        {
            Labels = (labels ?? new Dictionary<string, string>()).Where(l => !SystemLabels.Contains(l.Key)).ToDictionary(),
        };
    }

    /// <summary>The chart, description and last-deployed time from the encoded release; nulls when it cannot be decoded.</summary>
    static (string? Chart, string? Description, DateTimeOffset? Updated) Info(string? payload)
    {
        if (string.IsNullOrEmpty(payload)) return (null, null, null);
        try
        {
            var bytes = Convert.FromBase64String(payload);
            // helm gzips the JSON (encodeRelease); an older record may be plain JSON.
            if (bytes is [0x1f, 0x8b, ..])
            {
                using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gzip.CopyTo(plain);
                bytes = plain.ToArray();
            }
            using var json = JsonDocument.Parse(bytes);
            var root = json.RootElement;
            string? Text(JsonElement e, params string[] path)
            {
                foreach (var key in path)
                    if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(key, out e)) return null;
                return e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            }
            var chart = Text(root, "chart", "metadata", "name") is { } name ? $"{name}-{Text(root, "chart", "metadata", "version")}" : null;
            var updated = DateTimeOffset.TryParse(Text(root, "info", "last_deployed"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;
            return (chart, Text(root, "info", "description"), updated);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or JsonException)
        {
            return (null, null, null);
        }
    }

    /// <summary>helm's words for a release that did not end well: failed, or left pending by an interrupted helm.</summary>
    public static bool IsTrouble(string status) => status is "failed" or "pending-install" or "pending-upgrade" or "pending-rollback" or "uninstalling";
}

/// <summary>A key's value in a dictionary that may be null (KubernetesClient's labels and data), or null.</summary>
internal static class DictionaryLookup
{
    public static TValue? Find<TValue>(this IDictionary<string, TValue>? dictionary, string key) where TValue : class =>
        dictionary is not null && dictionary.TryGetValue(key, out var value) ? value : null;
}
