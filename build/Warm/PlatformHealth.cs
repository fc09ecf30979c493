namespace DataPlatform.Build.Warm;

/// <summary>One quick look at the platform: every release deployed, every workload ready, or what is not.</summary>
internal sealed record PlatformHealth(IReadOnlyList<string> Problems)
{
    public bool Healthy => Problems.Count == 0;

    public static PlatformHealth Unreadable(string why) => new([why]);
}
