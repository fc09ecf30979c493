using System.Text;
using System.Text.RegularExpressions;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>
/// Just enough understanding of Go templates to check the YAML around them:
/// a line made only of template actions is dropped (it usually expands to a block, e.g. readFile | indent),
/// and an action inside a line is replaced by a plain word.
/// </summary>
internal static partial class GoTemplate
{
    public const string Placeholder = "TEMPLATED";

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();

    [GeneratedRegex(@"\b(?:requiredEnv|env)\s+""([A-Za-z_][A-Za-z0-9_]*)""")]
    private static partial Regex EnvCall();

    [GeneratedRegex(@"\breadFile\s+""([^""]+)""")]
    private static partial Regex ReadFileCall();

    public static bool IsBalanced(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length - 1; i++)
        {
            if (text[i] == '{' && text[i + 1] == '{')
            {
                if (depth != 0) return false; // actions do not nest
                depth++;
                i++;
            }
            else if (text[i] == '}' && text[i + 1] == '}')
            {
                if (depth != 1) return false;
                depth--;
                i++;
            }
        }

        return depth == 0;
    }

    public static string Strip(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var line in text.Split('\n'))
        {
            var withoutActions = Action().Replace(line, string.Empty);
            if (line.Trim().Length > 0 && withoutActions.Trim().Length == 0)
            {
                continue;
            }

            result.Append(Action().Replace(line, Placeholder)).Append('\n');
        }

        return result.ToString();
    }

    public static IEnumerable<string> EnvironmentVariables(string text) =>
        EnvCall().Matches(text).Select(m => m.Groups[1].Value);

    public static IEnumerable<string> ReadFileTargets(string text) =>
        ReadFileCall().Matches(text).Select(m => m.Groups[1].Value);
}
