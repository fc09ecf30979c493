using DataPlatform.Build.Process;
using Spectre.Console;

namespace DataPlatform.Build.Deploy;

/// <summary>
/// Observe → compare → act for `helmfile apply` as a whole: reads the cluster's record of the last apply, compares it
/// with the inputs of this one, looks at the platform's health when they match, and says what it decided and why.
/// After an apply it records the inputs, so the next Up on an unchanged platform changes nothing.
/// </summary>
internal sealed class WarmApplyGate(AppliedRecordStore store, Func<CancellationToken, Task<PlatformHealth>> health, IAnsiConsole console)
{
    public async Task<(ApplyDecision Decision, AppliedRecord? Stored)> DecideAsync(AppliedInputs current, bool force, CancellationToken ct)
    {
        var (stored, problem) = await store.ReadAsync(ct);
        if (problem is not null) console.MarkupLineInterpolated($"[yellow]{problem}; helmfile apply will run and rewrite it.[/]");
        var observed = ApplyDecision.NeedsHealthCheck(stored, current, force) ? await health(ct) : null;
        var decision = ApplyDecision.Decide(stored, current, observed, force);
        if (decision.Apply) console.MarkupLineInterpolated($"[grey]{decision.Reason}[/]");
        else console.MarkupLineInterpolated($"[green]{decision.Reason}[/]");
        return (decision, stored);
    }

    /// <summary>
    /// Records the inputs of a successful apply, unless the record already holds exactly these. A failed write costs
    /// only a needless apply next time, so it warns rather than failing a platform that is up.
    /// </summary>
    public async Task RecordAsync(AppliedRecord? stored, AppliedInputs applied, DateTimeOffset appliedAt, CancellationToken ct)
    {
        if (stored?.Fingerprint == applied.Fingerprint) return;
        try { await store.WriteAsync(applied, appliedAt, ct); }
        catch (Exception e) when (e is ToolFailedException or ToolTimeoutException or IOException or UnauthorizedAccessException)
        {
            console.MarkupLineInterpolated(
                $"[yellow]helmfile apply succeeded, but its record (ConfigMap {AppliedRecordStore.Namespace}/{AppliedRecordStore.Name}) was not written: {e.Message.Split('\n')[0]}. The next Up runs helmfile apply again.[/]");
        }
    }
}
