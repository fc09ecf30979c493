using System.Text;
using System.Text.RegularExpressions;

namespace DataPlatform.Build.Platform;

/// <summary>One KEY=value line of a .env file, with the line it is on (for messages that never show the value).</summary>
internal sealed record DotEnvEntry(string Key, string Value, int Line);

/// <summary>
/// Reads .env files the way `set -a; . .env` would for the simple forms people write: KEY=value, export KEY=value,
/// 'single' (literal) and "double" (with \n \" \\ escapes) quotes, # comments and blank lines. Anything else is
/// reported with its line number and, at most, its key: a line that does not parse may hold a secret.
/// </summary>
internal static partial class DotEnv
{
    [GeneratedRegex(@"^(?:export\s+)?(?<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?<value>.*)$")]
    private static partial Regex Assignment();

    // The key of a line that is almost an assignment ("KEY: value", "KEY value"): a variable-like name in capitals.
    [GeneratedRegex(@"^(?:export\s+)?(?<key>[A-Z_][A-Z0-9_]*)(?<sep>\s*:|\s+\S)")]
    private static partial Regex AlmostAssignment();

    // A name before '=' that a shell would not take as a variable ("1BAD=", "MY-KEY=").
    [GeneratedRegex(@"^(?:export\s+)?(?<key>[^\s=#'""]{1,64})\s*=")]
    private static partial Regex BadName();

    // "MINIO SECRET_KEY=x": words of a name split by spaces, then '=' (a space where an underscore was meant).
    [GeneratedRegex(@"^(?:export\s+)?(?<key>[A-Za-z_][A-Za-z0-9_]*(?:[ \t]+[A-Za-z0-9_]+)+)\s*=")]
    private static partial Regex SpacedName();

    /// <summary>The file's variables (a missing file has none); throws with every bad line when any line is bad.</summary>
    public static IReadOnlyDictionary<string, string> Load(string path)
    {
        var problems = new List<ConfigProblem>();
        var entries = Read(path, problems);
        ConfigFileException.ThrowIfAny(problems);
        return ToDictionary(entries);
    }

    public static IReadOnlyDictionary<string, string> Parse(string text, string path)
    {
        var problems = new List<ConfigProblem>();
        var entries = Read(text, System.IO.Path.GetFileName(path), problems);
        ConfigFileException.ThrowIfAny(problems);
        return ToDictionary(entries);
    }

    static Dictionary<string, string> ToDictionary(IEnumerable<DotEnvEntry> entries)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries) values[entry.Key] = entry.Value; // a later line wins, as in a shell
        return values;
    }

    /// <summary>The entries of an optional file, with a problem for an unreadable file or each bad line.</summary>
    internal static IReadOnlyList<DotEnvEntry> Read(string path, List<ConfigProblem> problems) =>
        YamlFile.ReadText(path, problems, optional: true) is { } text ? Read(text, System.IO.Path.GetFileName(path), problems) : [];

    internal static IReadOnlyList<DotEnvEntry> Read(string text, string file, List<ConfigProblem> problems)
    {
        var entries = new List<DotEnvEntry>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var match = Assignment().Match(line);
            if (!match.Success)
            {
                problems.Add(new(file, i + 1, null, NotAnAssignment(line)));
                continue;
            }
            var key = match.Groups["key"].Value;
            if (ParseValue(match.Groups["value"].Value, key, out var problem) is { } value)
                entries.Add(new DotEnvEntry(key, value, i + 1));
            else
                problems.Add(new(file, i + 1, null, problem!));
        }
        return entries;
    }

    /// <summary>Names the key when the line has a recognisable one, and never repeats the rest of the line.</summary>
    static string NotAnAssignment(string line)
    {
        if (SpacedName().Match(line) is { Success: true } spaced)
        {
            var name = spaced.Groups["key"].Value;
            var joined = Regex.Replace(name, @"[ \t]+", "_");
            return $"'{name}' has a space in the variable name, which a name cannot hold: write {joined}=<value> (or remove the stray word).";
        }
        if (AlmostAssignment().Match(line) is { Success: true } almost)
        {
            var key = almost.Groups["key"].Value;
            return almost.Groups["sep"].Value.TrimStart().StartsWith(':')
                ? $"{key} is written with ':'; a .env line is KEY=value: write {key}=<value>."
                : $"{key} is not followed by '='; a .env line is KEY=value: write {key}=<value>.";
        }
        if (BadName().Match(line) is { Success: true } bad)
            return $"'{bad.Groups["key"].Value}' is not a variable name: use letters, digits and _, not starting with a digit (e.g. {Suggest(bad.Groups["key"].Value)}).";
        return "this line is not KEY=value (nor a # comment): fix it or comment it out with #.";
    }

    static string Suggest(string name)
    {
        var fixedName = Regex.Replace(name.ToUpperInvariant(), "[^A-Z0-9_]", "_");
        return char.IsAsciiDigit(fixedName[0]) ? "_" + fixedName : fixedName;
    }

    static string? ParseValue(string raw, string key, out string? problem)
    {
        problem = null;
        if (raw.Length == 0) return "";
        var quote = raw[0];
        if (quote is not ('"' or '\''))
        {
            // Unquoted: an inline comment starts at " #", as in a shell.
            var comment = raw.IndexOf(" #", StringComparison.Ordinal);
            return (comment >= 0 ? raw[..comment] : raw).TrimEnd();
        }

        var value = new StringBuilder();
        for (var i = 1; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == quote)
            {
                var rest = raw[(i + 1)..].TrimStart();
                if (rest.Length == 0 || rest.StartsWith('#')) return value.ToString();
                problem = $"{key} has text after its closing {quote} quote: put the whole value inside the quotes, or start a comment with ' #'.";
                return null;
            }
            if (quote == '"' && c == '\\' && i + 1 < raw.Length)
            {
                var next = raw[++i];
                value.Append(next switch { 'n' => '\n', 't' => '\t', _ => next });
                continue;
            }
            value.Append(c);
        }
        problem = $"{key} opens a {quote} quote that is never closed on its line: close it (values cannot span lines).";
        return null;
    }
}
