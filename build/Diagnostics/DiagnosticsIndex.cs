using System.Text;

namespace DataPlatform.Build.Diagnostics;

/// <summary>
/// The bundle's index.md: what failed (the run's own message), what went wrong first in the cluster (the earliest
/// warning event, the releases helm left failed or pending, the unready nodes and pods, each with the file that tells
/// more), then what could not be read and why, what was cut to fit, and every file.
/// </summary>
internal static class DiagnosticsIndex
{
    public static string Markdown(string context, DateTimeOffset taken, string? failure, ClusterFindings? findings, DiagnosticsBundle bundle)
    {
        var text = new StringBuilder();
        text.AppendLine($"# Diagnostics of {context}, {taken.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC");
        text.AppendLine();
        text.AppendLine(failure is null ? "Taken by `./build.sh --target=Diagnose`." : "Taken because the run failed:");
        if (failure is not null)
        {
            text.AppendLine();
            text.AppendLine("```");
            text.AppendLine(failure.TrimEnd());
            text.AppendLine("```");
        }
        text.AppendLine();
        text.AppendLine("## What failed first");
        text.AppendLine();
        if (findings is null)
            text.AppendLine("- The cluster could not be read: see *What could not be read* below.");
        else if (findings.ApiDown is { } down)
            text.AppendLine($"- The Kubernetes API did not answer: {down}. Is the cluster running (`docker ps`, then `kind-logs/` if it is there)?");
        else
        {
            var first = FirstSigns(findings).OrderBy(s => s.At).FirstOrDefault();
            if (first.What is not null) text.AppendLine($"- First sign of trouble ({first.At:yyyy-MM-dd HH:mm:ss} UTC): {first.What} (see `{first.File}`).");
            foreach (var (release, file) in findings.TroubledReleases)
                text.AppendLine($"- Release {release.Namespace}/{release.Release} is {release.Status} at revision {release.Revision}: {release.Description} (see `{file}`).");
            foreach (var missing in findings.MissingReleases)
                text.AppendLine($"- Release {missing} is not installed (see `helm/releases.txt`).");
            foreach (var (what, file) in findings.UnreadyNodes)
                text.AppendLine($"- {Capitalized(what)} (see `{file}`).");
            foreach (var (pod, reason, file, _) in findings.UnreadyPods)
                text.AppendLine($"- Pod {pod} is not ready: {reason} (see `{file}` and the logs next to it).");
            if (first.What is null && findings.TroubledReleases.Count == 0 && findings.MissingReleases.Count == 0 && findings.UnreadyNodes.Count == 0 && findings.UnreadyPods.Count == 0)
                text.AppendLine("- Nothing in the cluster looks wrong: every node and pod is ready, every release deployed, and there is no warning event.");
        }
        text.AppendLine();
        text.AppendLine("## Where to look");
        text.AppendLine();
        foreach (var (file, what) in Guide)
            text.AppendLine($"- `{file}`: {what}");

        if (bundle.Unreadable.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## What could not be read");
            text.AppendLine();
            foreach (var (part, why) in bundle.Unreadable) text.AppendLine($"- {Capitalized(part)}: {why}");
        }
        if (bundle.Truncated.Count > 0)
        {
            text.AppendLine();
            text.AppendLine($"## Cut to keep the bundle under {bundle.MaxBytes / (1024 * 1024)} MB");
            text.AppendLine();
            foreach (var file in bundle.Truncated) text.AppendLine($"- `{file}`{(bundle.Paths.Contains(file) ? "" : " (left out)")}");
        }
        text.AppendLine();
        text.AppendLine("## Files");
        text.AppendLine();
        foreach (var file in bundle.Paths) text.AppendLine($"- `{file}`");
        text.AppendLine();
        text.AppendLine("Secret values (.env, helm's release records) never enter this bundle: anything that quoted one shows `***`.");
        return text.ToString();
    }

    static IEnumerable<(DateTime At, string What, string File)> FirstSigns(ClusterFindings findings)
    {
        if (findings.FirstWarning is { } warning)
            yield return (PodDescription.EventTime(warning).ToUniversalTime(),
                $"{warning.InvolvedObject?.Kind} {warning.InvolvedObject?.NamespaceProperty ?? warning.Metadata?.NamespaceProperty}/{warning.InvolvedObject?.Name}: {warning.Reason}: {warning.Message?.Trim()}", "cluster/events.txt");
        foreach (var (release, file) in findings.TroubledReleases.Where(r => r.Latest.Updated is not null))
            yield return (release.Updated!.Value.UtcDateTime, $"release {release.Namespace}/{release.Release} {release.Status}: {release.Description}", file);
    }

    static readonly (string File, string What)[] Guide =
    [
        ("cluster/events.txt", "every event, oldest first: the first Warning is usually the cause"),
        ("cluster/pods.txt", "every pod with its readiness, restarts and reason"),
        ("pods/<namespace>/<pod>/", "for each unready pod: describe.txt (as `kubectl describe pod`), <container>.log (last 200 lines) and <container>.previous.log (before the last restart)"),
        ("helm/releases.txt", "each release helmfile.yaml declares, as helm last recorded it; helm/history-*.txt for those that failed"),
        ("cluster/nodes.txt", "the nodes and their conditions (memory, disk or PID pressure, network)"),
        ("applied-record.txt", "what the last successful helmfile apply applied, and when"),
        ("hosts-block.txt", "the platform's block of /etc/hosts"),
        ("doctor.txt and versions.txt", "this machine: Docker, memory, disk, ports, and the tools' versions"),
        ("kind-logs/", "`kind export logs`: each node's journal, kubelet and containerd logs"),
    ];

    static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
