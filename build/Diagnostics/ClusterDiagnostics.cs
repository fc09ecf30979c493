using System.Net;
using System.Text;
using DataPlatform.Build.Deploy;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DataPlatform.Build.Diagnostics;

/// <summary>What the cluster showed, for the index: each finding with the file that tells more.</summary>
internal sealed record ClusterFindings
{
    public List<(string What, string File)> UnreadyNodes { get; } = [];
    public List<(string Pod, string Reason, string File, DateTime Since)> UnreadyPods { get; } = [];
    public List<(HelmRevisionRecord Latest, string File)> TroubledReleases { get; } = [];
    public List<string> MissingReleases { get; } = [];
    public Corev1Event? FirstWarning { get; set; }
    /// <summary>Why the API could not be read at all, when it could not.</summary>
    public string? ApiDown { get; set; }
}

/// <summary>
/// Reads the cluster for the bundle, in-process through the platform's pinned client: the nodes and their conditions,
/// the events sorted by time, every pod (and, for each unready one, its description and the last lines of each
/// container's log, and of the container before the last restart), and the releases helmfile.yaml declares with the
/// history of those that failed. Each part is read on its own: one that fails is recorded with its reason and the next
/// goes on; once the API server is found unreachable, the remaining parts are not tried (each would wait out its timeout)
/// and say why.
/// </summary>
internal sealed class ClusterDiagnostics(PlatformCluster cluster, IReadOnlyList<Release> releases, string? helmDriver, DiagnosticsBundle bundle)
{
    /// <summary>The lines of each container's log the bundle keeps, as `kubectl logs --tail=200`.</summary>
    public const int LogLines = 200;

    readonly ClusterFindings _findings = new();

    public async Task<ClusterFindings> ReadAsync(CancellationToken ct)
    {
        await PartAsync("cluster/version.txt", "the API server's version", async k =>
            bundle.Add("cluster/version.txt", $"context: {cluster.Context}\nserver: {cluster.Server}\nversion: {(await k.Version.GetCodeAsync(ct)).GitVersion}\n"), ct);
        await PartAsync("cluster/nodes.txt", "the nodes", async k => Nodes(await k.CoreV1.ListNodeAsync(cancellationToken: ct)), ct);
        IList<Corev1Event> events = [];
        await PartAsync("cluster/events.txt", "the events", async k =>
        {
            events = (await k.CoreV1.ListEventForAllNamespacesAsync(cancellationToken: ct)).Items;
            Events(events);
        }, ct);
        await PartAsync("cluster/pods.txt", "the pods", async k => await PodsAsync(k, (await k.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct)).Items, events, ct), ct);
        await PartAsync("helm/releases.txt", "helm's releases", k => ReleasesAsync(k, ct), ct);
        await PartAsync("applied-record.txt", "the applied record (ConfigMap kube-system/data-platform-applied)", async k =>
        {
            try
            {
                var map = await k.CoreV1.ReadNamespacedConfigMapAsync(AppliedRecordStore.Name, AppliedRecordStore.Namespace, cancellationToken: ct);
                bundle.Add("applied-record.txt", string.Concat((map.Data ?? new Dictionary<string, string>()).Select(d => $"{d.Key}:\n{d.Value.TrimEnd()}\n\n")));
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                bundle.Add("applied-record.txt", "No applied record: helmfile apply never completed on this cluster (or it was created afresh since).\n");
            }
        }, ct);
        return _findings;
    }

    /// <summary>One part: read, or recorded as unreadable with the reason, never thrown (Ctrl+C aside).</summary>
    async Task PartAsync(string file, string what, Func<IKubernetes, Task> read, CancellationToken ct)
    {
        if (_findings.ApiDown is { } down)
        {
            bundle.CouldNotRead(what, $"not tried: {down}");
            bundle.Add(file, $"Could not be read: not tried, since {down}\n");
            return;
        }
        try
        {
            await ClusterReader.AskAsync(cluster, async (k, token) => { await read(k); return true; }, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is BuildFailure or HttpOperationException or HttpRequestException or OperationCanceledException or IOException or System.Text.Json.JsonException)
        {
            var why = e is HttpOperationException http ? $"the API answered {(int)http.Response.StatusCode} {http.Response.ReasonPhrase}: {FirstLine(http.Response.Content)}" : FirstLine(e.Message);
            // Unreachable, silent or refusing our credentials: nothing after this will fare better.
            if (e is BuildFailure) _findings.ApiDown = why;
            bundle.CouldNotRead(what, why);
            bundle.Add(file, $"Could not be read: {why}\n");
        }
    }

    void Nodes(V1NodeList nodes)
    {
        var text = new StringBuilder();
        foreach (var node in nodes.Items.OrderBy(n => n.Name(), StringComparer.Ordinal))
        {
            var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
            var roles = node.Labels()?.Keys.Where(k => k.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal)).Select(k => k["node-role.kubernetes.io/".Length..]) ?? [];
            text.AppendLine($"{node.Name()}  roles={string.Join(',', roles.DefaultIfEmpty("<none>"))}  kubelet={node.Status?.NodeInfo?.KubeletVersion ?? "?"}  " +
                            $"addresses={string.Join(',', node.Status?.Addresses?.Select(a => a.Address) ?? [])}");
            foreach (var condition in node.Status?.Conditions ?? [])
                text.AppendLine($"  {condition.Type,-20} {condition.Status,-7} {PodDescription.Time(condition.LastTransitionTime)}  {condition.Reason}: {condition.Message}");
            if (node.Spec?.Taints is { Count: > 0 } taints)
                text.AppendLine($"  taints: {string.Join(", ", taints.Select(t => $"{t.Key}={t.Value}:{t.Effect}"))}");
            text.AppendLine();
            if (ready?.Status != "True")
                _findings.UnreadyNodes.Add(($"node {node.Name()} is not Ready ({ready?.Reason ?? "no Ready condition"}: {ready?.Message})", "cluster/nodes.txt"));
        }
        bundle.Add("cluster/nodes.txt", text.Length == 0 ? "No nodes.\n" : text.ToString());
    }

    void Events(IList<Corev1Event> events)
    {
        var text = new StringBuilder("LAST SEEN (UTC)       TYPE     NAMESPACE            OBJECT                                   REASON               COUNT  MESSAGE\n");
        foreach (var e in events.OrderBy(PodDescription.EventTime))
            text.AppendLine($"{PodDescription.Time(PodDescription.EventTime(e)),-21} {e.Type,-8} {e.InvolvedObject?.NamespaceProperty ?? e.Metadata?.NamespaceProperty,-20} {$"{e.InvolvedObject?.Kind?.ToLowerInvariant()}/{e.InvolvedObject?.Name}",-40} {e.Reason,-20} {e.Count ?? 1,5}  {e.Message?.Trim().Replace('\n', ' ')}");
        _findings.FirstWarning = events.Where(e => e.Type == "Warning").OrderBy(PodDescription.EventTime).FirstOrDefault();
        bundle.Add("cluster/events.txt", text.ToString());
    }

    async Task PodsAsync(IKubernetes k, IList<V1Pod> pods, IList<Corev1Event> events, CancellationToken ct)
    {
        var unready = pods.Where(PodDescription.IsUnready).OrderBy(p => p.Status?.StartTime ?? p.Metadata?.CreationTimestamp ?? DateTime.MaxValue).ToList();
        var listing = new StringBuilder("NAMESPACE            NAME                                                READY  RESTARTS  STATUS / REASON\n");
        foreach (var pod in pods.OrderBy(p => p.Namespace(), StringComparer.Ordinal).ThenBy(p => p.Name(), StringComparer.Ordinal))
        {
            var statuses = pod.Status?.ContainerStatuses ?? [];
            listing.AppendLine($"{pod.Namespace(),-20} {pod.Name(),-51} {statuses.Count(s => s.Ready)}/{Math.Max(statuses.Count, pod.Spec?.Containers?.Count ?? 0),-4} {statuses.Sum(s => s.RestartCount),8}  {(PodDescription.IsUnready(pod) ? PodDescription.Reason(pod) : pod.Status?.Phase)}");
        }
        bundle.Add("cluster/pods.txt", listing.ToString());

        foreach (var pod in unready)
        {
            var folder = $"pods/{pod.Namespace()}/{pod.Name()}";
            var own = events.Where(e => e.InvolvedObject?.Kind == "Pod" && e.InvolvedObject.Name == pod.Name() && e.InvolvedObject.NamespaceProperty == pod.Namespace());
            bundle.Add($"{folder}/describe.txt", PodDescription.Describe(pod, own));
            _findings.UnreadyPods.Add(($"{pod.Namespace()}/{pod.Name()}", PodDescription.Reason(pod), $"{folder}/describe.txt",
                pod.Status?.StartTime ?? pod.Metadata?.CreationTimestamp ?? DateTime.MinValue));
            var statuses = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []);
            foreach (var status in statuses)
            {
                // A container still waiting for its first start has no log to show; after a restart the one before does.
                if (status.State?.Waiting is null || status.RestartCount > 0 || status.LastState?.Terminated is not null)
                    await LogAsync(k, pod, status.Name, previous: false, $"{folder}/{status.Name}.log", ct);
                if (status.RestartCount > 0 || status.LastState?.Terminated is not null)
                    await LogAsync(k, pod, status.Name, previous: true, $"{folder}/{status.Name}.previous.log", ct);
            }
        }
    }

    async Task LogAsync(IKubernetes k, V1Pod pod, string container, bool previous, string file, CancellationToken ct)
    {
        try
        {
            await using var stream = await k.CoreV1.ReadNamespacedPodLogAsync(pod.Name(), pod.Namespace(), container: container,
                previous: previous, tailLines: LogLines, cancellationToken: ct);
            bundle.Add(file, await new StreamReader(stream).ReadToEndAsync(ct), keepEnd: true);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
        {
            // The kubelet no longer has it (a previous container is kept only until the next restart), or never had it.
            bundle.Add(file, $"No log: {FirstLine(e.Response.Content)}\n");
        }
    }

    async Task ReleasesAsync(IKubernetes k, CancellationToken ct)
    {
        var text = new StringBuilder();
        if (HelmReleaseRecords.Storage(helmDriver) is not { } storage)
        {
            bundle.CouldNotRead("helm's releases", $"HELM_DRIVER={helmDriver} keeps them outside the cluster's objects: run `helm --kube-context {cluster.Context} list --all-namespaces`");
            bundle.Add("helm/releases.txt", $"Not read: HELM_DRIVER={helmDriver} keeps the releases outside the cluster's objects.\n");
            return;
        }
        text.AppendLine($"From helm's release {storage}s (owner=helm), the latest revision of each release helmfile.yaml declares.");
        text.AppendLine("RELEASE                                  REVISION  STATUS            CHART                          UPDATED (UTC)         DESCRIPTION");
        foreach (var release in releases)
        {
            var history = await HelmReleaseRecords.HistoryAsync(k, storage, release, ct);
            if (history.Count == 0)
            {
                text.AppendLine($"{release.Id,-40} {"-",8}  {"not installed",-17} {"",-30} {"",-21} helm has no record of it");
                _findings.MissingReleases.Add(release.Id);
                continue;
            }
            var latest = history[^1];
            text.AppendLine($"{release.Id,-40} {latest.Revision,8}  {latest.Status,-17} {latest.Chart,-30} {(latest.Updated is { } at ? PodDescription.Time(at.UtcDateTime) : ""),-21} {latest.Description}");
            if (!HelmReleaseRecords.IsTrouble(latest.Status)) continue;
            var file = $"helm/history-{release.Namespace}-{release.Name}.txt";
            bundle.Add(file, $"helm history {release.Name} --namespace {release.Namespace}\nREVISION  STATUS            CHART                          UPDATED (UTC)         DESCRIPTION\n" +
                string.Concat(history.Select(r => $"{r.Revision,8}  {r.Status,-17} {r.Chart,-30} {(r.Updated is { } u ? PodDescription.Time(u.UtcDateTime) : ""),-21} {r.Description}\n")));
            _findings.TroubledReleases.Add((latest, file));
        }
        bundle.Add("helm/releases.txt", text.ToString());
    }

    static string FirstLine(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "(no message)";
}
