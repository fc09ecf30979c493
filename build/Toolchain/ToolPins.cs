using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Toolchain;

/// <summary>One tool's pin from tools.yaml: the version EnsureTools installs and the oldest copy on PATH it accepts.</summary>
public sealed record ToolPin(string Name, ToolVersion Version, ToolVersion? Minimum)
{
    /// <summary>Without a minimum, only the pinned version itself is acceptable.</summary>
    public bool Accepts(ToolVersion found) => found.CompareTo(Minimum ?? Version) >= 0;
}

/// <summary>tools.yaml, read strictly: every tool the platform needs must be pinned, with versions that parse.</summary>
public sealed record ToolPins(ToolPin Kind, ToolPin Kubectl, ToolPin Helm, ToolPin Helmfile, ToolPin HelmDiff)
{
    public const string FileName = "tools.yaml";

    public IEnumerable<ToolPin> Binaries => [Kind, Kubectl, Helm, Helmfile];

    public static ToolPins Load(string path)
    {
        var doc = YamlFile.Read<Dictionary<string, Entry>>(path);
        ToolPin Pin(string name)
        {
            if (!doc.TryGetValue(name, out var entry) || string.IsNullOrWhiteSpace(entry?.Version))
                throw new ConfigFileException(path, $"has no `{name}: {{ version: vX.Y.Z }}` entry. Every tool the build installs is pinned there.");
            ToolVersion Parse(string field, string text) => ToolVersion.TryParse(text, out var v) ? v
                : throw new ConfigFileException(path, $"{name}.{field} is '{text}', which is not a version like v1.2.3.");
            var version = Parse("version", entry.Version);
            var minimum = entry.Minimum is { Length: > 0 } m ? Parse("minimum", m) : null;
            if (minimum is not null && minimum.CompareTo(version) > 0)
                throw new ConfigFileException(path, $"{name}.minimum ({minimum}) is newer than {name}.version ({version}).");
            return new ToolPin(name, version, minimum);
        }
        return new ToolPins(Pin("kind"), Pin("kubectl"), Pin("helm"), Pin("helmfile"), Pin("helm-diff"));
    }

    sealed class Entry
    {
        public string? Version { get; set; }
        public string? Minimum { get; set; }
    }
}
