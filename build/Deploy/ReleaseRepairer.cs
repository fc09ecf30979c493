using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;
using Spectre.Console;

namespace DataPlatform.Build.Deploy;

/// <summary>
/// Observe → compare → act for the releases an earlier apply left failed or pending: one `helm list`, the repairs
/// <see cref="ReleaseRecovery"/> decides, each printed with its reason. Uninstalls and rollbacks first (they unblock
/// helm), then one `helmfile sync` of every failed release, in their needs order. Every repair is a mutating call, so
/// --plan prints it instead.
/// </summary>
internal sealed class ReleaseRepairer(Helm helm, Helmfile helmfile, HelmfileSpec spec, IAnsiConsole console)
{
    public async Task RepairAsync(IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var repairs = new List<ReleaseRepair>();
        try
        {
            foreach (var (release, latest) in ReleaseRecovery.Unsettled(await helm.ListReleasesAsync(ct), spec.Releases))
            {
                var history = ReleaseRecovery.NeedsHistory(latest) ? await helm.HistoryAsync(release.Name, release.Namespace, ct) : [];
                repairs.Add(ReleaseRecovery.Decide(release, latest, history));
            }
        }
        catch (FormatException e)
        {
            throw new BuildFailure($"The releases' status could not be read before helmfile apply: {e.Message}. Check that the helm on PATH is the one EnsureTools installed (.tools/bin), then run the same target again.", e);
        }
        if (repairs.Count == 0) return;

        foreach (var repair in repairs.Where(r => r.Kind != RepairKind.Sync))
        {
            console.MarkupLineInterpolated($"[yellow]{repair.Reason}.[/]");
            if (repair.Kind == RepairKind.Uninstall)
                await helm.UninstallAsync(repair.Release.Name, repair.Release.Namespace, spec.HelmTimeout, ct);
            else
                await helm.RollbackAsync(repair.Release.Name, repair.Release.Namespace, repair.RollbackTo!.Value, spec.HelmTimeout, ct);
        }

        var toSync = repairs.Where(r => r.Kind == RepairKind.Sync).ToList();
        if (toSync.Count == 0) return;
        foreach (var repair in toSync) console.MarkupLineInterpolated($"[yellow]{repair.Reason}.[/]");
        await helmfile.SyncAsync(environment, toSync.Select(r => r.Release).ToList(), ct);
    }
}
