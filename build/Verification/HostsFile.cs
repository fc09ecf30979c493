using System.Net;
using System.Text;

namespace DataPlatform.Build.Verification;

/// <summary>A hosts-file line: one IP and the names it serves.</summary>
public sealed record HostsLine(string Ip, IReadOnlyList<string> Names)
{
    public override string ToString() => $"{Ip} {string.Join(' ', Names)}";
}

/// <summary>Pure functions behind PrintHosts: grouping names by IP, and replacing the platform's marked block in a hosts file.</summary>
public static class HostsFile
{
    /// <summary>One line per IP, IPs in numeric order, names sorted and de-duplicated; names without an IP are left out.</summary>
    public static IReadOnlyList<HostsLine> Group(IEnumerable<(string Name, string? Ip)> entries) =>
        entries.Where(e => !string.IsNullOrEmpty(e.Ip))
            .GroupBy(e => e.Ip!)
            .OrderBy(g => IPAddress.TryParse(g.Key, out var ip) ? ip.GetAddressBytes().Aggregate(0L, (n, b) => n * 256 + b) : long.MaxValue)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new HostsLine(g.Key, g.Select(e => e.Name).Distinct().Order(StringComparer.Ordinal).ToList()))
            .ToList();

    public static string Begin(string name) => $"# BEGIN {name}";
    public static string End(string name) => $"# END {name}";

    /// <summary>
    /// The file's text with the block between "# BEGIN name" and "# END name" replaced by these lines (appended when
    /// there is no block yet). Nothing outside the block changes, and applying it twice gives the same text.
    /// </summary>
    public static string ReplaceBlock(string existing, string name, IReadOnlyList<HostsLine> lines)
    {
        var newline = existing.Contains("\r\n") ? "\r\n" : "\n";
        var block = new StringBuilder().Append(Begin(name)).Append(newline);
        foreach (var line in lines) block.Append(line).Append(newline);
        block.Append(End(name)).Append(newline);

        var all = existing.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var begin = all.FindIndex(l => l.Trim() == Begin(name));
        var end = begin < 0 ? -1 : all.FindIndex(begin, l => l.Trim() == End(name));
        if (begin >= 0 && end > begin)
        {
            // Cut by character offsets so the lines around the block keep their exact bytes.
            var start = Offset(existing, begin);
            var stop = end + 1 < all.Count ? Offset(existing, end + 1) : existing.Length;
            return existing[..start] + block + existing[stop..];
        }
        var separator = existing.Length == 0 || existing.EndsWith('\n') ? "" : newline;
        return existing + separator + block;
    }

    /// <summary>Character offset where the given line (0-based) starts.</summary>
    static int Offset(string text, int line)
    {
        var offset = 0;
        for (var i = 0; i < line; i++) offset = text.IndexOf('\n', offset) + 1;
        return offset;
    }
}
