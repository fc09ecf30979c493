namespace DataPlatform.Build.Deploy;

/// <summary>Whether `helmfile apply` runs, and the line that says why.</summary>
internal sealed record ApplyDecision(bool Apply, string Reason)
{
    const int NamedChanges = 3;

    /// <summary>The health check is worth its reads only when nothing else already calls for an apply.</summary>
    public static bool NeedsHealthCheck(AppliedRecord? stored, AppliedInputs current, bool force) =>
        !force && stored is not null && stored.Fingerprint == current.Fingerprint;

    /// <summary>
    /// Skips the apply only when the cluster's record of the last apply matches the inputs exactly and the platform is
    /// healthy; anything else (no record, a changed input, a failed or missing health check, --force) applies.
    /// </summary>
    public static ApplyDecision Decide(AppliedRecord? stored, AppliedInputs current, PlatformHealth? health, bool force)
    {
        if (force) return new(true, "--force: running helmfile apply whatever changed");
        if (stored is null) return new(true, "no record of an earlier helmfile apply in this cluster: running it");
        var since = stored.AppliedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'");
        if (stored.Fingerprint != current.Fingerprint)
        {
            var changed = current.ChangedSince(stored.Inputs);
            var named = changed.Count == 0 ? "the inputs"
                : string.Join(", ", changed.Take(NamedChanges)) + (changed.Count > NamedChanges ? $" and {changed.Count - NamedChanges} more" : "");
            return new(true, $"running helmfile apply: {named} changed since the last apply ({since})");
        }
        if (health is null) return new(true, $"inputs unchanged since {since}, but the platform's health was not checked: running helmfile apply");
        if (health.UnsettledReleases.Count > 0)
            return new(true, $"inputs unchanged since {since}, but release{(health.UnsettledReleases.Count == 1 ? "" : "s")} " +
                             $"{string.Join(", ", health.UnsettledReleases)} {(health.UnsettledReleases.Count == 1 ? "is" : "are")} not deployed: " +
                             "repairing, then running helmfile apply");
        if (!health.Healthy)
            return new(true, $"inputs unchanged since {since}, but the platform is not healthy ({health.Problems[0]}" +
                             (health.Problems.Count > 1 ? $", and {health.Problems.Count - 1} more" : "") + "): running helmfile apply");
        return new(false, $"helmfile apply skipped: inputs unchanged since {since} and every release deployed, every workload ready; --force to run it anyway");
    }
}
