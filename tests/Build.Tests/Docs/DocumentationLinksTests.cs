using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Docs;

/// <summary>
/// README.md and docs/ stay one connected set of pages: every relative link reaches a file of the repository, every
/// anchor a heading of its page, and every page under docs/ is linked from the README.
/// </summary>
public class DocumentationLinksTests
{
    static IEnumerable<string> Pages() =>
        new[] { RepoRoot.File("README.md") }.Concat(Directory.EnumerateFiles(RepoRoot.File("docs"), "*.md").Order());

    [Fact]
    public void Every_relative_link_and_anchor_in_the_README_and_docs_resolves()
    {
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var page in Pages())
        {
            var shownAs = Path.GetRelativePath(RepoRoot.Path, page);
            foreach (var link in MarkdownLinks.LinksIn(File.ReadAllText(page)))
            {
                if (link.Target.Contains("://") || link.Target.StartsWith("mailto:")) continue;
                checkedLinks++;
                var hash = link.Target.IndexOf('#');
                var path = hash < 0 ? link.Target : link.Target[..hash];
                var anchor = hash < 0 ? null : link.Target[(hash + 1)..];
                var target = path.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(path)));
                if (!target.StartsWith(RepoRoot.Path + Path.DirectorySeparatorChar) && target != RepoRoot.Path)
                    broken.Add($"{shownAs}:{link.Line}: {link.Target} leaves the repository");
                else if (!File.Exists(target) && !Directory.Exists(target))
                    broken.Add($"{shownAs}:{link.Line}: {link.Target}: no file {Path.GetRelativePath(RepoRoot.Path, target)}");
                else if (anchor is not null && !(target.EndsWith(".md") && MarkdownLinks.AnchorsOf(File.ReadAllText(target)).Contains(anchor)))
                    broken.Add($"{shownAs}:{link.Line}: {link.Target}: {Path.GetRelativePath(RepoRoot.Path, target)} has no heading whose anchor is #{anchor}" +
                        (target.EndsWith(".md") ? $" (it has: {string.Join(", ", MarkdownLinks.AnchorsOf(File.ReadAllText(target)).Order().Select(a => "#" + a))})" : ""));
            }
        }
        Assert.True(checkedLinks > 20, $"only {checkedLinks} relative links found: is the link pattern still matching?");
        Assert.True(broken.Count == 0, "Broken links (fix the link or the heading it points at):\n" + string.Join('\n', broken));
    }

    [Fact]
    public void Every_page_under_docs_is_linked_from_the_README()
    {
        var linked = MarkdownLinks.LinksIn(File.ReadAllText(RepoRoot.File("README.md")))
            .Select(l => l.Target.Split('#')[0]).Where(t => t.Length > 0)
            .Select(t => Path.GetFullPath(Path.Combine(RepoRoot.Path, t))).ToHashSet();
        var orphans = Directory.EnumerateFiles(RepoRoot.File("docs"), "*.md").Where(page => !linked.Contains(page))
            .Select(page => Path.GetRelativePath(RepoRoot.Path, page)).Order().ToList();
        Assert.True(orphans.Count == 0, $"Pages no reader can reach from README.md (add them to its Documentation table): {string.Join(", ", orphans)}");
    }

    [Theory]
    [InlineData("Quick start", "quick-start")]
    [InlineData("Doctor: can this machine run the platform?", "doctor-can-this-machine-run-the-platform")]
    [InlineData("Sample data (pg-source)", "sample-data-pg-source")]
    [InlineData("Why a Frosting-style host, and how to swap to Cake.Frosting", "why-a-frosting-style-host-and-how-to-swap-to-cakefrosting")]
    [InlineData("`--plan` and [Verify](verify.md)", "--plan-and-verify")]
    [InlineData("snake_case stays", "snake_case-stays")]
    public void Anchors_follow_GitHubs_slug_rules(string heading, string anchor) =>
        Assert.Equal(anchor, MarkdownLinks.Slug(heading));

    [Fact]
    public void A_repeated_heading_gets_a_numbered_anchor_and_code_blocks_hold_no_headings() =>
        Assert.Equal(["notes", "notes-1"], MarkdownLinks.AnchorsOf("# Notes\n```bash\n# not a heading\n```\n## Notes\n").Order());
}
