using System.Text.RegularExpressions;

namespace DataPlatform.Build.Tools;

/// <summary>
/// A tool's major.minor.patch, read out of whatever its version command prints ("kind v0.33.0 go1.25 linux/amd64",
/// "v4.3.0+g1a2b3c", "1.7.4"). Pre-release and build suffixes are ignored: the pins are plain releases.
/// </summary>
internal sealed partial record ToolVersion(int Major, int Minor, int Patch) : IComparable<ToolVersion>
{
    // The first x.y.z that is a word of its own (or follows a "v"), so "go1.25.1" after the version is not picked.
    [GeneratedRegex(@"(?<![\w.])v?(\d+)\.(\d+)\.(\d+)")]
    private static partial Regex Pattern();

    // A pin in tools.yaml is exactly a release: v1.2.3 (the v optional), nothing before or after.
    [GeneratedRegex(@"^v?(\d+)\.(\d+)\.(\d+)$")]
    private static partial Regex PinPattern();

    public static bool TryParse(string? text, out ToolVersion version)
    {
        // A number too large for a version part is not a version (it used to overflow and crash).
        foreach (Match match in Pattern().Matches(text ?? ""))
            if (FromMatch(match) is { } found)
            {
                version = found;
                return true;
            }
        version = new ToolVersion(0, 0, 0);
        return false;
    }

    /// <summary>A pin as written in tools.yaml, or null with the reason in words.</summary>
    internal static ToolVersion? ParsePin(string text, out string? problem)
    {
        var match = PinPattern().Match(text.Trim());
        problem = !match.Success ? "is not a version like v1.2.3 (a plain release: no prefix, suffix or pre-release)"
            : FromMatch(match) is null ? $"has a number larger than {int.MaxValue}, which no release has"
            : null;
        return problem is null ? FromMatch(match) : null;
    }

    static ToolVersion? FromMatch(Match match) =>
        int.TryParse(match.Groups[1].Value, out var major) && int.TryParse(match.Groups[2].Value, out var minor) && int.TryParse(match.Groups[3].Value, out var patch)
            ? new ToolVersion(major, minor, patch)
            : null;

    public static ToolVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"no version like v1.2.3 in '{text}'");

    public int CompareTo(ToolVersion? other) =>
        other is null ? 1 : (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));

    /// <summary>With the leading v, as the release tags and download URLs spell it.</summary>
    public override string ToString() => $"v{Major}.{Minor}.{Patch}";

    /// <summary>Without the v, as helmfile's and helm-diff's asset names spell it.</summary>
    public string Bare => $"{Major}.{Minor}.{Patch}";
}
