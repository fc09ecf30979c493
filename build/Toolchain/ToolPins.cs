using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Toolchain;

/// <summary>One tool's pin from tools.yaml: the version EnsureTools installs and the oldest copy on PATH it accepts.</summary>
internal sealed record ToolPin(string Name, ToolVersion Version, ToolVersion? Minimum)
{
    /// <summary>Without a minimum, only the pinned version itself is acceptable.</summary>
    public bool Accepts(ToolVersion found) => found.CompareTo(Minimum ?? Version) >= 0;
}

/// <summary>tools.yaml, read strictly: every tool the platform needs must be pinned, with versions that parse.</summary>
internal sealed record ToolPins(ToolPin Kind, ToolPin Kubectl, ToolPin Helm, ToolPin Helmfile, ToolPin HelmDiff)
{
    public const string FileName = "tools.yaml";

    /// <summary>The tools the build installs; tools.yaml pins each of them and nothing else.</summary>
    static readonly string[] Tools = ["kind", "kubectl", "helm", "helmfile", "helm-diff"];

    public IEnumerable<ToolPin> Binaries => [Kind, Kubectl, Helm, Helmfile];

    public static ToolPins Load(string path)
    {
        var problems = new List<ConfigProblem>();
        var pins = Read(path, problems);
        ConfigFileException.ThrowIfAny(problems);
        return pins!;
    }

    internal static ToolPins? Read(string path, List<ConfigProblem> problems)
    {
        var fields = new YamlFields(Path.GetFileName(path), problems);
        var root = fields.Mapping(YamlFile.Read(path, problems, "one entry per tool (kind: { version: v0.33.0 }, …)"),
            "the document", "a mapping of tool: { version: vX.Y.Z, minimum: vX.Y.Z }");
        if (root is null) return null;
        fields.UnknownKeys(root, "", Tools, "the build");

        var pins = Tools.Select(name => Pin(name, root, fields)).ToList();
        return pins.Any(p => p is null) ? null : new ToolPins(pins[0]!, pins[1]!, pins[2]!, pins[3]!, pins[4]!);
    }

    static ToolPin? Pin(string name, YamlMappingNode root, YamlFields fields)
    {
        var node = YamlFields.Get(root, name);
        if (node is null)
        {
            fields.Add(root, $"has no `{name}: {{ version: vX.Y.Z }}` entry. Every tool the build installs is pinned there.");
            return null;
        }
        if (fields.Mapping(node, name, "a mapping (version: vX.Y.Z, minimum: vX.Y.Z)") is not { } entry) return null;
        fields.UnknownKeys(entry, name + ".", ["version", "minimum"], "a tool pin");

        ToolVersion? Version(string field, bool required)
        {
            var text = required
                ? fields.RequiredText(entry, field, $"{name}.{field}", "a version like v1.2.3", $"pin the release EnsureTools installs, e.g. `{field}: v1.2.3`.")
                : fields.Text(YamlFields.Get(entry, field), $"{name}.{field}", "a version like v1.2.3");
            if (text is null) return null;
            var version = ToolVersion.ParsePin(text, out var problem);
            if (problem is not null) fields.Add(YamlFields.Get(entry, field)!, $"{name}.{field} '{text}' {problem}.");
            return version;
        }

        var version = Version("version", required: true);
        var minimum = Version("minimum", required: false);
        if (version is not null && minimum is not null && minimum.CompareTo(version) > 0)
            fields.Add(YamlFields.Get(entry, "minimum")!, $"{name}.minimum ({minimum}) is newer than {name}.version ({version}); the minimum is the oldest copy accepted, at most the pin.");
        return version is null ? null : new ToolPin(name, version, minimum);
    }
}
