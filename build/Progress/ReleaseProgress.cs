using System.Globalization;

namespace DataPlatform.Build.Progress;

/// <summary>One release as the cluster shows it now: helm's status of its latest revision, and its pods.</summary>
/// <param name="Status">helm's word (deployed, pending-install, failed, ...), or null when helm has no record of it yet.</param>
internal sealed record ReleaseProgress(string Name, string Namespace, string? Status, int PodsReady, int PodsTotal)
{
    /// <summary>Deployed, and every pod of it ready (a release without pods, such as extra objects, once deployed).</summary>
    public bool Ready => Status == "deployed" && PodsReady == PodsTotal;

    /// <summary>"traefik 0/1", "minio pending-install 1/2", "registry not installed": what it is waiting for.</summary>
    public string Waiting => Status switch
    {
        null => $"{Name} not installed",
        "deployed" => $"{Name} {PodsReady}/{PodsTotal}",
        _ => $"{Name} {Status} {PodsReady}/{PodsTotal}",
    };
}

/// <summary>One reading of every release; <see cref="Problem"/> says why there is none (the API not answering).</summary>
internal sealed record ProgressSnapshot(IReadOnlyList<ReleaseProgress> Releases, string? Problem = null)
{
    /// <summary>How many waiting releases a line names; the rest are counted.</summary>
    public const int NamedInLine = 6;

    /// <summary>What changed since the last line: the line without its clock.</summary>
    public string Summary(string separator)
    {
        if (Problem is not null) return $"cluster not readable ({Problem})";
        var waiting = Releases.Where(r => !r.Ready).ToList();
        var summary = $"{Releases.Count - waiting.Count}/{Releases.Count} releases ready";
        if (waiting.Count == 0) return summary;
        var named = string.Join(", ", waiting.Take(NamedInLine).Select(r => r.Waiting));
        return $"{summary}{separator}waiting: {named}{(waiting.Count > NamedInLine ? $" and {waiting.Count - NamedInLine} more" : "")}";
    }

    /// <summary>`HelmfileApply 02:10 · 7/12 releases ready · waiting: traefik 0/1, minio 1/2`.</summary>
    public static string Line(string step, TimeSpan elapsed, string summary, string separator) =>
        $"{step} {Clock(elapsed)}{separator}{summary}";

    public static string Clock(TimeSpan elapsed) => elapsed.TotalHours >= 1
        ? elapsed.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : elapsed.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
}
