using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace DataPlatform.Build.PrintHosts;

/// <summary>A hosts-file line: one IP and the names it serves.</summary>
internal sealed record HostsLine(string Ip, IReadOnlyList<string> Names)
{
    public override string ToString() => $"{Ip} {string.Join(' ', Names)}";
}

/// <summary>Pure functions behind PrintHosts: grouping names by IP, and replacing the platform's marked block in a hosts file.</summary>
internal static class HostsFile
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
    /// The file's text with the platform's block replaced by these lines: exactly one "# BEGIN name" … "# END name"
    /// block, where the first old one was (appended when there was none). Every line outside the old blocks keeps its
    /// place and its bytes (its line ending too); the block's lines end as most of the user's lines do, so a Windows
    /// hosts file stays CRLF; applying it twice gives the same text.
    /// Old blocks are recognised leniently (odd spacing, tabs, CRLF, any case of BEGIN/END). Lines between a BEGIN and
    /// its END are ours: the markers say so. A BEGIN without an END (a hand edit, an interrupted editor) proves nothing
    /// about the lines after it, so only the run of lines right after it that look like ours (an IP and platform
    /// hostnames only) goes with it; the first line that does not stops the block, and it and everything after it stay.
    /// A stray END (ours, without a BEGIN) is dropped so that one block remains.
    /// </summary>
    /// <param name="isPlatformName">Which hostnames are the platform's; by default, the names in <paramref name="lines"/>.</param>
    public static string ReplaceBlock(string existing, string name, IReadOnlyList<HostsLine> lines, Func<string, bool>? isPlatformName = null)
    {
        var ours = lines.SelectMany(l => l.Names).ToHashSet(StringComparer.OrdinalIgnoreCase);
        isPlatformName ??= ours.Contains;
        var begin = Marker("BEGIN", name);
        var end = Marker("END", name);

        var all = Split(existing);
        var kept = new List<(string Text, string Ending)>();
        var insertAt = -1;
        for (var i = 0; i < all.Count;)
        {
            if (end.IsMatch(all[i].Text)) { i++; continue; }
            if (!begin.IsMatch(all[i].Text)) { kept.Add(all[i++]); continue; }

            if (insertAt < 0) insertAt = kept.Count;
            var close = i + 1;
            while (close < all.Count && !end.IsMatch(all[close].Text) && !begin.IsMatch(all[close].Text)) close++;
            if (close < all.Count && end.IsMatch(all[close].Text))
            {
                i = close + 1;
                continue;
            }
            i++;
            while (i < all.Count && LooksOurs(all[i].Text, isPlatformName)) i++;
        }
        if (insertAt < 0) insertAt = kept.Count;
        // The lines the build writes end as the user's lines do (a Windows hosts file, edited through /mnt/c, is CRLF).
        // Counted over the user's lines only: counting the old block too would let a second run pick another ending.
        var newline = Majority(kept) ?? Majority(all) ?? "\n";

        var text = new StringBuilder();
        for (var i = 0; i < insertAt; i++)
            text.Append(kept[i].Text).Append(kept[i].Ending.Length > 0 ? kept[i].Ending : newline);
        text.Append(Begin(name)).Append(newline);
        foreach (var line in lines) text.Append(line).Append(newline);
        text.Append(End(name)).Append(newline);
        for (var i = insertAt; i < kept.Count; i++) text.Append(kept[i].Text).Append(kept[i].Ending);
        return text.ToString();
    }

    /// <summary>The ending most of these lines have (LF on a tie); null when none has one.</summary>
    static string? Majority(List<(string Text, string Ending)> lines)
    {
        var (crlf, lf) = (lines.Count(l => l.Ending == "\r\n"), lines.Count(l => l.Ending == "\n"));
        return crlf + lf == 0 ? null : crlf > lf ? "\r\n" : "\n";
    }

    /// <summary>An IP followed only by platform hostnames: a line PrintHosts writes.</summary>
    public static bool LooksOurs(string line, Func<string, bool> isPlatformName)
    {
        var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 && IPAddress.TryParse(fields[0], out _) && fields.Skip(1).All(isPlatformName);
    }

    static Regex Marker(string keyword, string name) =>
        new($@"^\s*#\s*(?i:{keyword})\s+{Regex.Escape(name)}\s*$", RegexOptions.CultureInvariant);

    /// <summary>The lines with their own endings ("\r\n", "\n", or "" for a last line without one).</summary>
    static List<(string Text, string Ending)> Split(string text)
    {
        var lines = new List<(string, string)>();
        for (var start = 0; start < text.Length;)
        {
            var lf = text.IndexOf('\n', start);
            if (lf < 0) { lines.Add((text[start..], "")); break; }
            var crlf = lf > start && text[lf - 1] == '\r';
            lines.Add((text[start..(crlf ? lf - 1 : lf)], crlf ? "\r\n" : "\n"));
            start = lf + 1;
        }
        return lines;
    }
}
