using System.Text.RegularExpressions;

namespace DataPlatform.Build.Toolchain;

/// <summary>
/// Reads the SHA-256 of one file out of the checksum formats upstream publishes: a bare hash (kubectl's .sha256),
/// or sha256sum lines "&lt;hash&gt;  &lt;name&gt;" (kind's and helm's .sha256sum, helmfile's and helm-diff's checksums.txt).
/// </summary>
internal static partial class ChecksumFile
{
    [GeneratedRegex(@"^([0-9a-fA-F]{64})(?:\s+\*?(\S+))?\s*$")]
    private static partial Regex Line();

    /// <summary>The lower-case hex hash listed for <paramref name="fileName"/>; a file holding a single unnamed hash applies to it too.</summary>
    public static string? Find(string text, string fileName)
    {
        var entries = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => Line().Match(line))
            .Where(m => m.Success)
            .Select(m => (Hash: m.Groups[1].Value.ToLowerInvariant(), Name: m.Groups[2].Success ? m.Groups[2].Value : null))
            .ToList();
        var named = entries.FirstOrDefault(e => e.Name is not null && Path.GetFileName(e.Name) == fileName);
        if (named.Hash is not null) return named.Hash;
        return entries is [{ Name: null } only] ? only.Hash : null;
    }
}
