using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>
/// The subset of helmfile's Go templates that values/*.gotmpl use, so tests can check the YAML that helmfile would
/// hand to Helm without running helmfile (it cannot run here). Supported: actions with pipelines, `{{-`/`-}}`
/// trimming, string and number literals, and the functions in <see cref="Call"/>. Any other function fails the
/// render with the file and action named, so a values file cannot drift past what the tests understand.
/// The sprig functions that differ per render (rand*, uuidv4, now) are implemented as they behave in helmfile,
/// so that a test rendering twice sees them change.
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

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""|[^\s""]+")]
    private static partial Regex Token();

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

    /// <summary>Sets the actions aside (for Helm chart templates, which use far more than we render).</summary>
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

    /// <summary>
    /// Renders a values file as helmfile does: readFile is relative to the file's own directory, and requiredEnv fails
    /// on a variable that is unset or empty.
    /// </summary>
    public static string Render(string path, IReadOnlyDictionary<string, string> environment)
    {
        var text = File.ReadAllText(path);
        var output = new StringBuilder(text.Length);
        var position = 0;
        while (true)
        {
            var open = text.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                output.Append(text, position, text.Length - position);
                return output.ToString();
            }

            var close = text.IndexOf("}}", open, StringComparison.Ordinal);
            if (close < 0) throw new TemplateException(path, "an action opened with {{ is never closed");
            output.Append(text, position, open - position);

            var body = text[(open + 2)..close];
            if (body.StartsWith('-'))
            {
                while (output.Length > 0 && char.IsWhiteSpace(output[^1])) output.Length--;
                body = body[1..];
            }

            position = close + 2;
            if (body.EndsWith('-'))
            {
                while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
                body = body[..^1];
            }

            body = body.Trim();
            if (body.StartsWith("/*", StringComparison.Ordinal) && body.EndsWith("*/", StringComparison.Ordinal)) continue; // a comment
            output.Append(Pipeline(body, path, environment));
        }
    }

    static string Pipeline(string pipeline, string path, IReadOnlyDictionary<string, string> environment)
    {
        string? value = null;
        foreach (var command in SplitPipes(pipeline))
        {
            var tokens = Token().Matches(command).Select(m => m.Value).ToList();
            if (tokens.Count == 0) throw new TemplateException(path, $"empty command in {{{{ {pipeline} }}}}");
            var arguments = tokens.Skip(1).Select(Literal).ToList();
            if (value is not null) arguments.Add(value);
            value = Call(tokens[0], arguments, path, environment, pipeline);
        }

        return value ?? throw new TemplateException(path, "empty action {{ }}");
    }

    static string Call(string function, IReadOnlyList<string> args, string path, IReadOnlyDictionary<string, string> environment, string action)
    {
        string Arg(int i) => i < args.Count ? args[i] : throw new TemplateException(path, $"{function} lacks an argument in {{{{ {action} }}}}");
        int Number(int i) => int.TryParse(Arg(i), out var n) ? n : throw new TemplateException(path, $"{function} wants a number in {{{{ {action} }}}}");

        return function switch
        {
            "requiredEnv" => environment.TryGetValue(Arg(0), out var v) && v.Length > 0
                ? v
                : throw new TemplateException(path, $"required env var `{Arg(0)}` is not set"),
            "env" => environment.GetValueOrDefault(Arg(0)) ?? "",
            "readFile" => File.ReadAllText(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, Arg(0))),
            "quote" => Quote(Arg(0)),
            "b64enc" => Convert.ToBase64String(Encoding.UTF8.GetBytes(Arg(0))),
            "indent" => Indent(Number(0), Arg(1)),
            "nindent" => "\n" + Indent(Number(0), Arg(1)),
            // Per-render values, as sprig and Go produce them.
            "randAlphaNum" => Random(Number(0), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "randAlpha" => Random(Number(0), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
            "randNumeric" => Random(Number(0), "0123456789"),
            "uuidv4" => Guid.NewGuid().ToString(),
            "now" => DateTimeOffset.UtcNow.ToString("O"),
            _ => throw new TemplateException(path, $"{{{{ {action} }}}} calls {function}, which the test renderer does not know. " +
                 "Add it to GoTemplate.Call as helmfile implements it (and keep it deterministic, or the release changes on every apply)."),
        };
    }

    static IEnumerable<string> SplitPipes(string pipeline)
    {
        var start = 0;
        var inString = false;
        for (var i = 0; i < pipeline.Length; i++)
        {
            if (pipeline[i] == '\\' && inString) { i++; continue; }
            if (pipeline[i] == '"') inString = !inString;
            if (pipeline[i] == '|' && !inString)
            {
                yield return pipeline[start..i];
                start = i + 1;
            }
        }

        yield return pipeline[start..];
    }

    static string Literal(string token) =>
        token.Length >= 2 && token[0] == '"' ? Regex.Unescape(token[1..^1]) : token;

    /// <summary>sprig's quote: Go's %q of the string.</summary>
    static string Quote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>sprig's indent: every line, the first included, gets the padding.</summary>
    static string Indent(int spaces, string value)
    {
        var pad = new string(' ', spaces);
        return pad + value.Replace("\n", "\n" + pad);
    }

    static string Random(int length, string alphabet) =>
        new(Enumerable.Range(0, length).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]).ToArray());
}

internal sealed class TemplateException(string path, string message) : Exception($"{path}: {message}");
