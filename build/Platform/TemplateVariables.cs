using System.Text.RegularExpressions;

namespace DataPlatform.Build.Platform;

/// <summary>A variable a values template requires, and the first place that requires it (for the message).</summary>
internal sealed record RequiredVariable(string Key, string File, int Line);

/// <summary>
/// The variables the platform needs are the ones its templates fail without: every `requiredEnv "X"` in
/// values/*.gotmpl. Reading them from there keeps the list in one place (the templates), never restated in C#.
/// </summary>
internal static partial class TemplateVariables
{
    public const string ValuesDirectory = "values";

    [GeneratedRegex(@"requiredEnv\s+""(?<key>[A-Za-z_][A-Za-z0-9_]*)""")]
    private static partial Regex RequiredEnv();

    public static IReadOnlyList<RequiredVariable> Required(string root, List<ConfigProblem> problems)
    {
        var directory = Path.Combine(root, ValuesDirectory);
        if (!Directory.Exists(directory))
        {
            problems.Add(new(ValuesDirectory, null, null, $"the folder {directory} is missing; it holds the releases' values. Restore it with `git checkout -- {ValuesDirectory}`."));
            return [];
        }
        var found = new Dictionary<string, RequiredVariable>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(directory, "*.gotmpl", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var file = Path.GetRelativePath(root, path).Replace('\\', '/');
            var fileProblems = new List<ConfigProblem>();
            if (YamlFile.ReadText(path, fileProblems) is not { } text)
            {
                problems.AddRange(fileProblems.Select(p => p with { File = file }));
                continue;
            }
            foreach (Match match in RequiredEnv().Matches(text))
            {
                var key = match.Groups["key"].Value;
                var line = 1 + text.AsSpan(0, match.Index).Count('\n');
                found.TryAdd(key, new RequiredVariable(key, file, line));
            }
        }
        return found.Values.ToList();
    }
}
