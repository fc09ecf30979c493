using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using k8s;
using k8s.Models;

namespace DataPlatform.Build.Progress;

/// <summary>
/// Reads where each release of helmfile.yaml stands, in-process through the platform's pinned client (no process is
/// started): per namespace, one list of pods and one list of helm's release records (label owner=helm). A release's pods
/// are those labelled app.kubernetes.io/instance=&lt;release&gt;, as Helm charts label them; its status is the status
/// label of its latest revision (helm/helm pkg/storage/driver/secrets.go), read from the labels alone.
/// </summary>
internal sealed class ReleaseProgressReader(PlatformCluster cluster, IReadOnlyList<Release> releases, string? helmDriver)
{
    public const string InstanceLabel = "app.kubernetes.io/instance";

    public async Task<ProgressSnapshot> ReadAsync(CancellationToken ct)
    {
        try
        {
            var rows = new List<ReleaseProgress>();
            foreach (var group in releases.GroupBy(r => r.Namespace))
            {
                var pods = (await cluster.Client.CoreV1.ListNamespacedPodAsync(group.Key, cancellationToken: ct)).Items;
                var statuses = await StatusesAsync(group.Key, ct);
                foreach (var release in group)
                {
                    var own = pods.Where(p => p.Labels().Find(InstanceLabel) == release.Name && p.Status?.Phase != "Succeeded").ToList();
                    var ready = own.Count(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
                    rows.Add(new ReleaseProgress(release.Name, release.Namespace, statuses.GetValueOrDefault(release.Name), ready, own.Count));
                }
            }
            // In helmfile.yaml's order, which is the order a reader knows them in.
            return new ProgressSnapshot(releases.Select(r => rows.First(row => row.Name == r.Name && row.Namespace == r.Namespace)).ToList());
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or k8s.Autorest.HttpOperationException or OperationCanceledException or IOException or System.Text.Json.JsonException)
        {
            var why = e is OperationCanceledException ? $"no answer within {cluster.RequestTimeout.TotalSeconds:0} s" : e.Message.Split('\n')[0];
            return new ProgressSnapshot([], why);
        }
    }

    /// <summary>Release name → status of its latest revision, from the labels of helm's records in one namespace.</summary>
    async Task<IReadOnlyDictionary<string, string>> StatusesAsync(string ns, CancellationToken ct)
    {
        IEnumerable<IDictionary<string, string>?> labels = HelmReleaseRecords.Storage(helmDriver) switch
        {
            "secret" => (await cluster.Client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: "owner=helm", cancellationToken: ct)).Items.Select(s => s.Labels()),
            "configmap" => (await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "owner=helm", cancellationToken: ct)).Items.Select(m => m.Labels()),
            _ => [],
        };
        return labels.OfType<IDictionary<string, string>>()
            .Where(l => l.ContainsKey("name") && l.ContainsKey("status"))
            .GroupBy(l => l["name"])
            .ToDictionary(g => g.Key, g => g.MaxBy(l => int.TryParse(l.Find("version"), out var v) ? v : 0)!["status"]);
    }
}
