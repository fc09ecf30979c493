using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Platform;

/// <summary>
/// The values files helmfile.yaml's releases list, checked before the first change: each must exist and be YAML holding
/// a mapping, as helm reads values. Without this a missing or broken file fails helmfile only after the cluster was
/// created, and a missing one first showed as a memory shortfall in Doctor (which counts the requests in the values).
/// </summary>
internal static partial class ValuesFiles
{
    /// <summary>What a template action turns into, so the YAML around it can be read.</summary>
    public const string Placeholder = "TEMPLATED";

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();

    [GeneratedRegex(@"\{\{-?\s*(?:if|else|range|with|end|define|block)\b")]
    private static partial Regex ControlAction();

    public static void Check(string root, HelmfileSpec helmfile, List<ConfigProblem> problems)
    {
        foreach (var entry in helmfile.ValuesFiles.DistinctBy(e => e.File))
        {
            // helmfile fetches a remote values file (go-getter: git::…, s3::…, https://…) at apply time.
            if (entry.File.Contains("::", StringComparison.Ordinal) || entry.File.Contains("://", StringComparison.Ordinal)) continue;
            // A templated path is resolved by helmfile; the build cannot know which file it names.
            if (entry.File.Contains("{{", StringComparison.Ordinal)) continue;
            var path = Path.Combine(root, entry.File);
            var file = Path.IsPathRooted(entry.File) ? entry.File : Path.GetRelativePath(root, path).Replace('\\', '/');
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                if (entry.MayBeMissing) continue;
                problems.Add(new(HelmfileSpec.FileName, entry.Line, entry.Column,
                    $"release {entry.Release} lists the values file {file}, which is missing: restore it (`git checkout -- {file}`) " +
                    $"or correct the path (it is relative to {HelmfileSpec.FileName}'s folder)."));
                continue;
            }
            var fileProblems = new List<ConfigProblem>();
            if (YamlFile.ReadText(path, fileProblems) is { } text)
                CheckText(text, file, fileProblems);
            problems.AddRange(fileProblems.Select(p => p with { File = file }));
        }
    }

    /// <summary>
    /// helm reads a values file as one YAML mapping. A helmfile template (.gotmpl) is read after its actions are set
    /// aside, line for line, so a problem keeps its line: an action alone on its line (an if, a readFile block) becomes an
    /// empty line, an action inside a line becomes a placeholder value. What the actions render is not checked.
    /// </summary>
    static void CheckText(string text, string file, List<ConfigProblem> problems)
    {
        var template = file.EndsWith(".gotmpl", StringComparison.Ordinal);
        var yaml = template ? WithPlaceholders(text) : text;
        if (yaml.Trim().Length == 0) return; // an empty values file sets nothing, which helm accepts
        var parsed = new List<ConfigProblem>();
        var node = YamlFile.Parse(yaml, file, parsed, "values");
        // Both branches of an if/else stay once the actions are set aside, so a key they both set is not a mistake.
        if (template && ControlAction().IsMatch(text)) parsed.RemoveAll(p => p.Message.Contains("is written twice", StringComparison.Ordinal));
        parsed.RemoveAll(p => p.Message.StartsWith("is empty", StringComparison.Ordinal)); // only comments: sets nothing
        if (template) parsed = parsed.Select(p => p with { Message = p.Message + " (read with its {{ }} actions set aside)" }).ToList();
        problems.AddRange(parsed);
        if (node is not null and not YamlMappingNode)
            problems.Add(new(file, (int)node.Start.Line, (int)node.Start.Column,
                $"should hold a mapping of values (key: value), found {YamlFields.Describe(node)}: helm refuses it."));
    }

    /// <summary>The template with its actions set aside, keeping every line where it was.</summary>
    internal static string WithPlaceholders(string text)
    {
        const char Marker = '\u0001';
        var marked = Action().Replace(text, m => Marker + new string('\n', m.Value.Count(c => c == '\n')));
        return string.Join('\n', marked.Split('\n').Select(line =>
            line.Contains(Marker) && line.Replace(Marker.ToString(), "").Trim().Length == 0 ? "" : line.Replace(Marker.ToString(), Placeholder)));
    }
}
