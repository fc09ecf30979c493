namespace DataPlatform.Build.Deploy;

/// <summary>One quick look at the platform: every release deployed, every workload ready, or what is not.</summary>
internal sealed record PlatformHealth(IReadOnlyList<string> Problems)
{
    /// <summary>Declared releases helm lists as failed or pending, as "namespace/name (status)": the apply repairs them first.</summary>
    public IReadOnlyList<string> UnsettledReleases { get; init; } = [];

    public bool Healthy => Problems.Count == 0 && UnsettledReleases.Count == 0;

    public static PlatformHealth Unreadable(string why) => new([why]);
}
