using System.Text.RegularExpressions;

namespace DataPlatform.Build.Tests.Validation;

/// <summary>
/// What an invalid testdata file must produce, written in the file itself as comment lines at its top:
/// <c># expect: [file:]line[:column]: excerpt</c> (line "-" when the problem has none; file defaults to the file under test).
/// Comments keep each case and its expectation together, as kind's testdata does with its file names.
/// </summary>
sealed partial record Expectation(string File, int? Line, int? Column, string Excerpt)
{
    [GeneratedRegex(@"^#\s*expect:\s*(?:(?<file>[A-Za-z.][\w./-]*):)?(?<line>-|\d+)(?::(?<column>\d+))?:\s*(?<excerpt>.+)$")]
    private static partial Regex ExpectLine();

    public static IReadOnlyList<Expectation> Read(string text, string defaultFile) =>
        text.ReplaceLineEndings("\n").Split('\n')
            .TakeWhile(l => l.StartsWith('#'))
            .Select(l => ExpectLine().Match(l))
            .Where(m => m.Success)
            .Select(m => new Expectation(
                m.Groups["file"].Success ? m.Groups["file"].Value : defaultFile,
                m.Groups["line"].Value == "-" ? null : int.Parse(m.Groups["line"].Value),
                m.Groups["column"].Success ? int.Parse(m.Groups["column"].Value) : null,
                m.Groups["excerpt"].Value.Trim()))
            .ToList();

    public bool IsMetBy(Build.Platform.ConfigProblem problem) =>
        problem.File == File && problem.Line == Line && (Column is null || problem.Column == Column) &&
        problem.Message.Contains(Excerpt, StringComparison.Ordinal);

    public override string ToString() => $"{File}:{Line?.ToString() ?? "-"}{(Column is { } c ? $":{c}" : "")}: …{Excerpt}…";
}
