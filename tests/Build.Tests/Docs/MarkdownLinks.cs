using System.Text.RegularExpressions;

namespace DataPlatform.Build.Tests.Docs;

/// <summary>
/// What a Markdown file links to and which anchors its headings make, read as GitHub renders it: fenced code blocks
/// and inline code hold no links or headings, and an anchor is the heading's text lowercased, spaces turned into '-',
/// punctuation dropped, with -1, -2... on repeats.
/// </summary>
static partial class MarkdownLinks
{
    public sealed record Link(int Line, string Target);

    public static IReadOnlyList<Link> LinksIn(string markdown) =>
        Prose(markdown).SelectMany(line => InlineLink().Matches(WithoutInlineCode(line.Text))
            .Select(m => new Link(line.Number, m.Groups["target"].Value))).ToList();

    public static IReadOnlySet<string> AnchorsOf(string markdown)
    {
        var anchors = new HashSet<string>();
        var seen = new Dictionary<string, int>();
        foreach (var line in Prose(markdown))
        {
            var heading = Heading().Match(line.Text);
            if (!heading.Success) continue;
            var slug = Slug(heading.Groups["text"].Value);
            var repeat = seen.GetValueOrDefault(slug);
            seen[slug] = repeat + 1;
            anchors.Add(repeat == 0 ? slug : $"{slug}-{repeat}");
        }
        return anchors;
    }

    /// <summary>GitHub's heading slug: link text kept, then lowercase, anything but letters, digits, '_', '-' and spaces dropped, spaces to '-'.</summary>
    public static string Slug(string heading)
    {
        var text = InlineLink().Replace(heading.Trim(), m => m.Groups["text"].Value);
        text = NotSlugCharacter().Replace(text.ToLowerInvariant(), "");
        return text.Replace(' ', '-');
    }

    /// <summary>The lines outside fenced code blocks, with their 1-based numbers.</summary>
    static IEnumerable<(int Number, string Text)> Prose(string markdown)
    {
        var inFence = false;
        var number = 0;
        foreach (var line in markdown.ReplaceLineEndings("\n").Split('\n'))
        {
            number++;
            if (line.TrimStart().StartsWith("```")) { inFence = !inFence; continue; }
            if (!inFence) yield return (number, line);
        }
    }

    static string WithoutInlineCode(string line) => InlineCode().Replace(line, "");

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\((?<target>[^)\s]+)\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^#{1,6} +(?<text>.+?) *#*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{M}\p{N}\p{Pc} -]")]
    private static partial Regex NotSlugCharacter();
}
