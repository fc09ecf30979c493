using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Platform;

/// <summary>
/// The shapes helmfile itself decodes helmfile.yaml into (helmfile's pkg/state/state.go: HelmSpec, ReleaseSpec and
/// RepositorySpec), for the fields the platform writes or a user is likely to: helmfile refuses a wrong type only when
/// it loads the file, which is after the cluster was created. Fields not listed here are left to helmfile.
/// </summary>
internal static class HelmfileFields
{
    public enum Kind { Boolean, Integer, Text, List }

    static readonly (string Key, Kind Kind)[] Common =
    [
        ("kubeContext", Kind.Text), ("wait", Kind.Boolean), ("waitForJobs", Kind.Boolean), ("timeout", Kind.Integer),
        ("historyMax", Kind.Integer), ("createNamespace", Kind.Boolean), ("atomic", Kind.Boolean), ("cleanupOnFail", Kind.Boolean),
        ("force", Kind.Boolean), ("recreatePods", Kind.Boolean), ("verify", Kind.Boolean), ("devel", Kind.Boolean),
        ("skipDeps", Kind.Boolean), ("disableValidation", Kind.Boolean), ("disableValidationOnInstall", Kind.Boolean),
        ("disableOpenAPIValidation", Kind.Boolean), ("reuseValues", Kind.Boolean), ("missingFileHandler", Kind.Text),
    ];

    /// <summary>helmDefaults (timeout has its own reader, which also turns it into the build's wait).</summary>
    public static readonly (string Key, Kind Kind)[] Defaults = [.. Common.Where(f => f.Key != "timeout"), ("args", Kind.List), ("syncReleaseLabels", Kind.Boolean)];

    public static readonly (string Key, Kind Kind)[] ReleaseFields =
    [
        .. Common, ("chart", Kind.Text), ("version", Kind.Text), ("installed", Kind.Boolean), ("secrets", Kind.List),
        ("set", Kind.List),
    ];

    static string Expected(Kind kind) => kind switch
    {
        Kind.Boolean => "true or false",
        Kind.Integer => "a whole number",
        Kind.Text => "a single value",
        _ => "a list (- item)",
    };

    /// <summary>Each listed field present in <paramref name="map"/> has the type helmfile decodes it into.</summary>
    public static void CheckTypes(YamlMappingNode map, string path, IEnumerable<(string Key, Kind Kind)> known, YamlFields fields)
    {
        foreach (var (key, kind) in known)
        {
            if (YamlFields.Get(map, key) is not { } node || YamlFields.IsNull(node)) continue;
            var ok = (kind, node) switch
            {
                (Kind.List, YamlSequenceNode) => true,
                (Kind.Text, YamlScalarNode) => true,
                (Kind.Boolean, YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text }) => IsBoolean(text),
                (Kind.Integer, YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text }) =>
                    long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
                _ => false,
            };
            if (!ok) fields.Add(node, $"{path}.{key} should be {Expected(kind)}, found {YamlFields.Describe(node)}: helmfile refuses the file.");
        }
    }

    /// <summary>YAML booleans as helmfile's YAML decoder reads them (YAML 1.1 forms included).</summary>
    static bool IsBoolean(string text) =>
        text.ToLowerInvariant() is "true" or "false" or "yes" or "no" or "on" or "off" or "y" or "n";

    /// <summary>missingFileHandler Warn, Info or Debug: helmfile skips a missing values file instead of failing.</summary>
    public static bool ToleratesMissingFiles(YamlMappingNode map) =>
        (YamlFields.Get(map, "missingFileHandler") as YamlScalarNode)?.Value is "Warn" or "Info" or "Debug";

    /// <summary>The names under `repositories:`, each with a name and a url; null when the list itself is of the wrong shape.</summary>
    public static IReadOnlySet<string>? Repositories(YamlMappingNode root, YamlFields fields)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var node = YamlFields.Get(root, "repositories");
        if (node is null || YamlFields.IsNull(node)) return names;
        if (fields.Sequence(node, "repositories", "a list of repositories (- name:, url:)") is not { } list) return null;
        for (var i = 0; i < list.Children.Count; i++)
        {
            var path = $"repositories[{i}]";
            if (fields.Mapping(list.Children[i], path, "a repository mapping (name:, url:)") is not { } repository) continue;
            var name = fields.RequiredText(repository, "name", path + ".name", "the repository's name", "charts name it as <name>/<chart>.");
            fields.RequiredText(repository, "url", path + ".url", "the repository's URL", "helmfile adds the repository from it.");
            if (name is not null) names.Add(name);
        }
        return names;
    }

    /// <summary>
    /// A chart `repo/chart` must name a repository of `repositories:`, or helmfile (helm) fails with "repo not found"
    /// after the cluster was made. A local chart (./x, ../x, /x, or a folder that exists) and a URL (oci://…) need none.
    /// Whether the chart and its version exist in the repository needs the network, and is not checked here.
    /// </summary>
    public static void CheckChart(YamlMappingNode release, string path, IReadOnlySet<string>? repositories, string directory, YamlFields fields)
    {
        if (YamlFields.Get(release, "chart") is not YamlScalarNode { Value: { Length: > 0 } chart } node || repositories is null) return; // a wrong type is reported by CheckTypes
        if (chart.StartsWith('.') || chart.StartsWith('/') || chart.Contains("://", StringComparison.Ordinal) || chart.Contains("{{", StringComparison.Ordinal)) return;
        var slash = chart.IndexOf('/');
        if (slash <= 0 || Directory.Exists(Path.Combine(directory, chart))) return;
        var prefix = chart[..slash];
        if (repositories.Contains(prefix)) return;
        var declared = repositories.Count == 0 ? "no repository is declared" : $"the repositories are {string.Join(", ", repositories.Order(StringComparer.Ordinal))}";
        fields.Add(node, $"{path}.chart is '{chart}', but '{prefix}' is not a repository of `repositories:` ({declared}): " +
            $"add `- name: {prefix}` with its `url:` under repositories:, or write a local chart as ./charts/<name>.");
    }

    /// <summary>The values files a release lists: `values:` must be a list whose items are file paths or inline mappings.</summary>
    public static IEnumerable<(string File, YamlNode Node)> ValuesFiles(YamlMappingNode release, string path, YamlFields fields)
    {
        var node = YamlFields.Get(release, "values");
        if (node is null || YamlFields.IsNull(node)) yield break;
        if (node is not YamlSequenceNode list)
        {
            fields.Add(node, $"{path}.values should be a list, found {YamlFields.Describe(node)}: write each values file as an item, `- values/<file>.yaml`" +
                (node is YamlMappingNode ? " (inline values go in an item of the list too: `- key: value`)." : "."));
            yield break;
        }
        for (var i = 0; i < list.Children.Count; i++)
        {
            switch (list.Children[i])
            {
                case YamlMappingNode: continue; // inline values
                case YamlScalarNode { Value: { Length: > 0 } file } scalar when !YamlFields.IsNull(scalar):
                    yield return (file, scalar);
                    break;
                default:
                    fields.Add(list.Children[i], $"{path}.values[{i}] should be a values file's path or a mapping of values, found {YamlFields.Describe(list.Children[i])}.");
                    break;
            }
        }
    }
}
