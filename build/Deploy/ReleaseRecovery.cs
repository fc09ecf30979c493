using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Deploy;

internal enum RepairKind
{
    /// <summary>`helmfile sync` of the release: upgrades it even though helm-diff finds nothing to change.</summary>
    Sync,
    /// <summary>`helm uninstall`: the release never worked, so the apply installs it afresh.</summary>
    Uninstall,
    /// <summary>`helm rollback` to the last revision that worked.</summary>
    Rollback,
}

/// <summary>One repair: which release, what helm says of it, what is done and why.</summary>
internal sealed record ReleaseRepair(RepairKind Kind, Release Release, string Status, int Revision, int? RollbackTo = null)
{
    public string Reason => Kind switch
    {
        RepairKind.Sync => $"release {Release.Id} is failed (revision {Revision}): helmfile sync upgrades it (helmfile apply would skip it, its diff being empty)",
        RepairKind.Uninstall when Revision == 1 && Status == "pending-install" =>
            $"release {Release.Id} is pending-install (an install was interrupted): helm uninstall, then helmfile apply installs it",
        RepairKind.Uninstall => $"release {Release.Id} is {Status} (revision {Revision}) and no revision of it ever worked: helm uninstall, then helmfile apply installs it",
        _ => $"release {Release.Id} is {Status} (revision {Revision}, an operation was interrupted): helm rollback to revision {RollbackTo}, its last that worked",
    };
}

/// <summary>
/// What an interrupted or failed `helmfile apply` leaves behind, and how to get past it; pure, so a table of statuses
/// checks it. Only releases helmfile.yaml declares are looked at, matched on namespace and name: a release of someone
/// else's in the same cluster is never touched.
/// </summary>
internal static class ReleaseRecovery
{
    public const string Failed = "failed";
    public const string PendingInstall = "pending-install";
    public const string PendingUpgrade = "pending-upgrade";
    public const string PendingRollback = "pending-rollback";
    /// <summary>An uninstall that was interrupted (the repair's own included): only finishing it settles the release.</summary>
    public const string Uninstalling = "uninstalling";

    /// <summary>Statuses no apply gets past on its own: failed is skipped by apply's diff, pending-* blocks every helm operation (helm pkg/action/upgrade.go, errPending), uninstalling is half gone.</summary>
    public static bool IsUnsettled(string? status) => status is Failed or PendingInstall or PendingUpgrade or PendingRollback or Uninstalling;

    /// <summary>A rollback needs the history to find its target; a pending-install at revision 1 has nothing to go back to.</summary>
    public static bool NeedsHistory(HelmReleaseStatus latest) => latest.Status is PendingUpgrade or PendingRollback || latest is { Status: PendingInstall } && Revision(latest) > 1;

    /// <summary>The declared releases whose latest revision is failed or pending, in helmfile.yaml's order.</summary>
    public static IReadOnlyList<(Release Release, HelmReleaseStatus Latest)> Unsettled(IReadOnlyList<HelmReleaseStatus> listed, IReadOnlyList<Release> declared)
    {
        var latest = listed.GroupBy(r => (r.Namespace, r.Name)).ToDictionary(g => g.Key, g => g.MaxBy(Revision)!);
        return declared
            .Select(release => (Release: release, Latest: latest.GetValueOrDefault((release.Namespace, release.Name))))
            .Where(pair => pair.Latest is not null && IsUnsettled(pair.Latest.Status))
            .Select(pair => (pair.Release, pair.Latest!))
            .ToList();
    }

    /// <summary>
    /// The repair of one unsettled release. failed → sync; pending-install at revision 1 → uninstall; pending-upgrade,
    /// pending-rollback (and pending-install past revision 1) → rollback to the newest revision that is deployed or
    /// superseded, the one helm's own rollback-on-failure picks (pkg/action/upgrade.go failRelease), or uninstall when
    /// there is none (nothing of it ever worked). <paramref name="history"/> is read only when <see cref="NeedsHistory"/>.
    /// </summary>
    public static ReleaseRepair Decide(Release release, HelmReleaseStatus latest, IReadOnlyList<HelmRevision> history)
    {
        var revision = Revision(latest);
        var status = latest.Status ?? "";
        if (status == Failed) return new(RepairKind.Sync, release, status, revision);
        if (!NeedsHistory(latest)) return new(RepairKind.Uninstall, release, status, revision);
        // An uninstall deletes the release's objects, PersistentVolumeClaims and data included: never on a history the
        // build could not read (empty, or without the revision helm list showed).
        if (!history.Any(h => h.Revision == revision))
            throw new BuildFailure(
                $"Release {release.Id} is {status} at revision {revision}, but `helm history {release.Name} --namespace {release.Namespace}` does not show that revision, " +
                "so the build cannot tell which revision to roll back to, and will not uninstall it (that would delete its data)." + Environment.NewLine +
                $"  fix: look at `helm history {release.Name} --namespace {release.Namespace}`, roll it back by hand (`helm rollback {release.Name} <revision> --namespace {release.Namespace}`), then run the same target again.");
        var worked = history
            .Where(h => h.Revision < revision && h.Status is "deployed" or "superseded")
            .MaxBy(h => h.Revision);
        return worked is null
            ? new(RepairKind.Uninstall, release, status, revision)
            : new(RepairKind.Rollback, release, status, revision, worked.Revision);
    }

    static int Revision(HelmReleaseStatus row) => int.TryParse(row.Revision, out var v) ? v : 0;
}
