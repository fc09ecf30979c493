using System.Text;
using System.Text.RegularExpressions;

namespace DataPlatform.Build.Platform;

/// <summary>
/// Reads .env files the way `set -a; . .env` would for the simple forms people write: KEY=value, export KEY=value,
/// 'single' (literal) and "double" (with \n \" \\ escapes) quotes, # comments and blank lines. Anything else is
/// reported with its line number instead of being guessed at.
/// </summary>
public static partial class DotEnv
{
    [GeneratedRegex(@"^(?:export\s+)?(?<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?<value>.*)$")]
    private static partial Regex Assignment();

    public static IReadOnlyDictionary<string, string> Load(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path), path) : new Dictionary<string, string>();

    public static IReadOnlyDictionary<string, string> Parse(string text, string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var match = Assignment().Match(line);
            if (!match.Success)
                throw new ConfigFileException(path, $"line {i + 1} is not KEY=value: '{line}'. Fix or comment it out with #.");
            values[match.Groups["key"].Value] = ParseValue(match.Groups["value"].Value, path, i + 1);
        }
        return values;
    }

    static string ParseValue(string raw, string path, int lineNumber)
    {
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
                if (rest.Length > 0 && !rest.StartsWith('#'))
                    throw new ConfigFileException(path, $"line {lineNumber} has text after the closing quote: '{rest}'.");
                return value.ToString();
            }
            if (quote == '"' && c == '\\' && i + 1 < raw.Length)
            {
                var next = raw[++i];
                value.Append(next switch { 'n' => '\n', 't' => '\t', _ => next });
                continue;
            }
            value.Append(c);
        }
        throw new ConfigFileException(path, $"line {lineNumber} opens a {quote} quote that is never closed.");
    }
}
