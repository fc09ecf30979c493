namespace DataPlatform.Build.Host;

internal enum CheckStatus { Ok, Warning, Failure }

/// <summary>One line of the Doctor's table: what was checked, how it went, what was found, and the fix when it is not ok.</summary>
internal sealed record HostCheck(string Name, CheckStatus Status, string Detail, string? Fix = null)
{
    public static HostCheck Ok(string name, string detail) => new(name, CheckStatus.Ok, detail);
    public static HostCheck Warning(string name, string detail, string fix) => new(name, CheckStatus.Warning, detail, fix);
    public static HostCheck Failure(string name, string detail, string fix) => new(name, CheckStatus.Failure, detail, fix);
}

/// <summary>What the Doctor found: every check, the engine, and the access mode (null when Docker did not answer).</summary>
internal sealed record DoctorReport(IReadOnlyList<HostCheck> Checks, HostEngine? Engine, AccessDecision? Access)
{
    public IReadOnlyList<HostCheck> Failures => Checks.Where(c => c.Status == CheckStatus.Failure).ToList();
}
