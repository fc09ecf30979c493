using System.Text.RegularExpressions;
using DataPlatform.Build.PrintHosts;

namespace DataPlatform.Build.Tests.PrintHosts;

/// <summary>
/// ReplaceBlock over many random hosts files: user lines, LF and CRLF, old blocks with odd spacing, duplicate blocks,
/// BEGINs without END, stray ENDs, no final newline; LF, CRLF (a Windows hosts file, as WSL writes it through /mnt/c)
/// and mixed files. Whatever the file, the user's lines all survive in order with their bytes, exactly one block
/// remains in the file's line ending, and a second run changes nothing.
/// </summary>
public sealed class HostsBlockPropertyTests
{
    const string Name = "data-platform";
    const string Domain = "data-platform.internal";

    static readonly IReadOnlyList<HostsLine> Lines =
    [
        new("172.18.255.245", [$"minio.{Domain}", $"registry.{Domain}"]),
        new("172.18.255.246", [$"pg-source.{Domain}"]),
    ];

    static readonly string[] UserLines =
    [
        "127.0.0.1 localhost", "::1 ip6-localhost ip6-loopback", "10.0.0.1 nas.home", "  192.168.1.9\tprinter.lan  ",
        "# my own comment", "", "   ", "#", "# BEGIN other-cluster", "# END other-cluster", "# BEGIN data-platform-dev",
        "172.18.255.245 minio.example.org", "garbage without an ip", "# café ☕", $"# mentions {Name} in passing",
    ];

    static readonly string[] Begins = ["# BEGIN data-platform", "#BEGIN data-platform", "  #  BEGIN\tdata-platform  ", "# begin data-platform"];
    static readonly string[] Ends = ["# END data-platform", "#END data-platform", "\t# END   data-platform ", "# End data-platform"];
    static readonly string[] Stale = [$"172.18.0.9 stale.{Domain}", $"172.18.255.245 minio.{Domain}", $"10.1.1.1 old.{Domain} other.{Domain}"];

    static bool IsPlatformName(string name) => name.EndsWith("." + Domain, StringComparison.OrdinalIgnoreCase);

    [Fact]
    public void Any_file_ends_with_every_user_line_in_order_and_exactly_one_block_and_a_second_run_changes_nothing()
    {
        var random = new Random(20261125);
        for (var run = 0; run < 3000; run++)
        {
            var (file, userLines) = RandomFile(random, (LineEndings)(run % 3));

            var once = HostsFile.ReplaceBlock(file, Name, Lines, IsPlatformName);
            var twice = HostsFile.ReplaceBlock(once, Name, Lines, IsPlatformName);

            var context = $"run {run}, file:\n{Visible(file)}\nresult:\n{Visible(once)}";
            Assert.True(once == twice, "not idempotent: " + context);
            var lines = SplitKeepingEndings(once);
            var begins = lines.Select((l, i) => (l, i)).Where(x => Regex.IsMatch(x.l.Text, @"^\s*#\s*(?i:BEGIN)\s+data-platform\s*$")).ToList();
            var ends = lines.Select((l, i) => (l, i)).Where(x => Regex.IsMatch(x.l.Text, @"^\s*#\s*(?i:END)\s+data-platform\s*$")).ToList();
            Assert.True(begins.Count == 1 && ends.Count == 1, "not exactly one block: " + context);
            var (begin, end) = (begins[0].i, ends[0].i);
            Assert.Equal(Lines.Select(l => l.ToString()), lines[(begin + 1)..end].Select(l => l.Text));

            // Every line the build writes ends as most of the user's lines do (a Windows hosts file stays CRLF).
            var newline = Majority(userLines) ?? Majority(SplitKeepingEndings(file)) ?? "\n";
            Assert.True(lines[begin..(end + 1)].All(l => l.Ending == newline), "the block does not use the file's line ending: " + context);

            // The user's lines keep their place and their bytes, line ending included; only a last line without one
            // gets one when the block goes after it.
            var outside = lines[..begin].Concat(lines[(end + 1)..]).ToList();
            Assert.True(userLines.Select(u => u.Text).SequenceEqual(outside.Select(o => o.Text)), "user lines lost or reordered: " + context);
            foreach (var (user, kept) in userLines.Zip(outside))
                Assert.True(user.Ending == kept.Ending || user.Ending == "" && kept.Ending == newline, "a user line's ending changed: " + context);
        }
    }

    [Fact]
    public void A_crlf_file_stays_crlf_everywhere()
    {
        var random = new Random(10);
        for (var run = 0; run < 500; run++)
        {
            var (file, _) = RandomFile(random, LineEndings.Crlf);
            if (!file.Contains('\n')) continue;   // one line without an ending: nothing says CRLF

            var once = HostsFile.ReplaceBlock(file, Name, Lines, IsPlatformName);

            // No bare LF anywhere: Notepad, and every Windows tool, sees the lines as the user wrote them.
            Assert.True(!Regex.IsMatch(once, "(?<!\r)\n"), $"a bare LF in a CRLF file, run {run}:\n{Visible(once)}");
        }
    }

    [Fact]
    public void A_begin_without_end_takes_only_the_platform_lines_right_after_it()
    {
        var file = "127.0.0.1 localhost\n# BEGIN data-platform\n172.18.0.9 stale.data-platform.internal\n10.0.0.1 nas.home\n" +
                   "172.18.0.10 mine.data-platform.internal\n# my comment\n";

        var updated = HostsFile.ReplaceBlock(file, Name, Lines, IsPlatformName);

        Assert.DoesNotContain("stale", updated);
        // The user's lines after the first foreign one stay, even one that names a platform host: nothing proves it is ours.
        Assert.EndsWith("# END data-platform\n10.0.0.1 nas.home\n172.18.0.10 mine.data-platform.internal\n# my comment\n", updated);
    }

    [Fact]
    public void The_user_test_case_a_begin_without_end_then_a_full_block_keeps_the_lines_between()
    {
        // What an older build left after a run over a BEGIN without END: the orphan BEGIN, the user's lines, a full block.
        var file = "# BEGIN data-platform\n10.0.0.1 nas.home\n192.168.1.9 printer.lan\n# BEGIN data-platform\n172.18.0.9 x.data-platform.internal\n# END data-platform\n";

        var updated = HostsFile.ReplaceBlock(file, Name, Lines, IsPlatformName);

        Assert.Equal("# BEGIN data-platform\n172.18.255.245 minio.data-platform.internal registry.data-platform.internal\n" +
                     "172.18.255.246 pg-source.data-platform.internal\n# END data-platform\n10.0.0.1 nas.home\n192.168.1.9 printer.lan\n", updated);
    }

    [Fact]
    public void A_crlf_file_gets_a_crlf_block_and_keeps_its_bytes()
    {
        var file = "127.0.0.1 localhost\r\n#  BEGIN  data-platform \r\n1.2.3.4 a.data-platform.internal\r\n# END data-platform\r\n10.0.0.1 nas.home";

        var updated = HostsFile.ReplaceBlock(file, Name, Lines, IsPlatformName);

        Assert.Equal("127.0.0.1 localhost\r\n# BEGIN data-platform\r\n172.18.255.245 minio.data-platform.internal registry.data-platform.internal\r\n" +
                     "172.18.255.246 pg-source.data-platform.internal\r\n# END data-platform\r\n10.0.0.1 nas.home", updated);
    }

    [Fact]
    public void The_block_follows_the_users_lines_not_the_old_block_so_a_second_run_keeps_it()
    {
        // Four LF user lines around an old CRLF block of five lines: counting the old block would pick CRLF for the new
        // block (four lines), and then, four against four, LF on the next run: the file rewritten by every PrintHosts.
        var file = "127.0.0.1 localhost\n::1 localhost\n# BEGIN data-platform\r\n1.1.1.1 a.data-platform.internal\r\n" +
                   "1.1.1.2 b.data-platform.internal\r\n1.1.1.3 c.data-platform.internal\r\n# END data-platform\r\n" +
                   "10.0.0.1 nas.home\n192.168.1.9 printer.lan\n";

        var once = HostsFile.ReplaceBlock(file, Name, Lines, IsPlatformName);

        Assert.Equal("127.0.0.1 localhost\n::1 localhost\n# BEGIN data-platform\n" +
                     "172.18.255.245 minio.data-platform.internal registry.data-platform.internal\n" +
                     "172.18.255.246 pg-source.data-platform.internal\n# END data-platform\n10.0.0.1 nas.home\n192.168.1.9 printer.lan\n", once);
        Assert.Equal(once, HostsFile.ReplaceBlock(once, Name, Lines, IsPlatformName));
    }

    enum LineEndings { Lf, Crlf, Mixed }

    static (string File, List<(string Text, string Ending)> UserLines) RandomFile(Random random, LineEndings style)
    {
        var segments = new List<(string Text, bool User)>();
        // An END after a BEGIN without END closes that BEGIN, and the lines between are then a block by the markers'
        // word; so a stray END is only generated where no BEGIN is open, as a hand edit would leave it.
        var open = false;
        for (var count = random.Next(0, 12); count > 0; count--)
        {
            var kind = random.Next(10);
            if (kind == 9 && open) kind = 0;
            if (kind < 6) segments.Add((Pick(random, UserLines), true));
            else if (kind < 9)
            {
                segments.Add((Pick(random, Begins), false));
                segments.AddRange(Enumerable.Range(0, random.Next(0, 3)).Select(_ => (Pick(random, Stale), false)));
                open = kind == 8;
                if (!open) segments.Add((Pick(random, Ends), false));
            }
            else segments.Add((Pick(random, Ends), false));
        }
        var endings = segments.Select(_ => style switch
        {
            LineEndings.Lf => "\n",
            LineEndings.Crlf => "\r\n",
            _ => random.Next(3) == 0 ? "\r\n" : "\n",
        }).ToList();
        if (segments.Count > 0 && random.Next(4) == 0)
        {
            endings[^1] = "";   // no final newline
            if (segments[^1] is { User: true, Text: "" })   // a blank line without newline is no line
            {
                segments.RemoveAt(segments.Count - 1);
                endings.RemoveAt(endings.Count - 1);
            }
        }
        var text = string.Concat(segments.Select((s, i) => s.Text + endings[i]));
        return (text, segments.Select((s, i) => (s, i)).Where(x => x.s.User).Select(x => (x.s.Text, endings[x.i])).ToList());
    }

    /// <summary>The ending most of these lines have; LF on a tie, null when none has one.</summary>
    static string? Majority(IReadOnlyList<(string Text, string Ending)> lines)
    {
        var (crlf, lf) = (lines.Count(l => l.Ending == "\r\n"), lines.Count(l => l.Ending == "\n"));
        return crlf + lf == 0 ? null : crlf > lf ? "\r\n" : "\n";
    }

    static List<(string Text, string Ending)> SplitKeepingEndings(string text) =>
        Regex.Matches(text, "([^\n]*?)(\r\n|\n|$)").Where(m => m.Length > 0).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();

    static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    static string Visible(string text) => text.Replace("\r", "\\r").Replace("\t", "\\t");
}
