using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using DataPlatform.Build.Verify;

namespace DataPlatform.Build.Deploy;

/// <summary>
/// Verify's release and workload checks, once and without waiting: one read of the workloads through Verify's reader
/// (the whole cluster only when one is not ready) and one `helm list`, no probes. Whatever stops the look (an API
/// server that does not answer, helm failing) is itself a problem, so the caller applies rather than trusts a platform
/// it could not see.
/// </summary>
internal sealed class PlatformHealthCheck(Func<PlatformCluster> cluster, Helm helm, IReadOnlyList<Release> releases, IReadOnlyCollection<string> namespaces, string context)
{
    public async Task<PlatformHealth> CheckAsync(CancellationToken ct)
    {
        try
        {
            var platform = cluster();
            // `helm list` runs while the API answers: both only read, and the check needs both. Both end before anything
            // is decided (no call outlives the check), and when both fail, the API's error is the one reported.
            var reading = ReadStateAsync(platform, ct);
            var listing = helm.ListReleasesAsync(ct);
            await Task.WhenAll(reading, listing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            var state = await reading;
            // Both readers below look only at the declared releases: someone else's failed release is not ours to apply for.
            var listed = await listing;
            var unsettled = ReleaseRecovery.Unsettled(listed, releases).Select(u => $"{u.Release.Id} ({u.Latest.Status})").ToList();
            var failing = ClusterChecks.HelmReleases(listed, releases, context)
                .Concat(ClusterChecks.Workloads(state, namespaces))
                .Where(check => !check.Passed)
                .Select(check => $"{check.Name}: {check.Detail.Split('\n')[0].TrimEnd('\r')}")
                .ToList();
            return new PlatformHealth(failing) { UnsettledReleases = unsettled };
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is BuildFailure or ToolFailedException or ToolTimeoutException or FormatException
                                      or HttpRequestException or k8s.Autorest.HttpOperationException or OperationCanceledException)
        {
            return PlatformHealth.Unreadable($"the cluster could not be read: {e.Message.Split('\n')[0]}");
        }
    }

    /// <summary>
    /// Three lists say whether every workload is ready (every warm run); only when one is not does the whole reading
    /// (pods, claims, crash logs) follow, for the reasons the problem line gives.
    /// </summary>
    async Task<ClusterState> ReadStateAsync(PlatformCluster platform, CancellationToken ct)
    {
        var state = new ClusterState { Workloads = await ClusterReader.ReadWorkloadsAsync(platform, ct) };
        return ClusterChecks.Workloads(state, namespaces).Any(check => !check.Passed)
            ? await ClusterReader.ReadAsync(platform, namespaces, ct)
            : state;
    }
}
