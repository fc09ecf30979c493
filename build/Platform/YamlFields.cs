using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Platform;

/// <summary>
/// Walks a YAML node tree for one file and records what is missing or of the wrong shape, at the node's line and
/// column, with the field's path (releases[3].needs) and what was expected in words.
/// </summary>
internal sealed class YamlFields(string file, List<ConfigProblem> problems)
{
    public void Add(YamlNode node, string message) => problems.Add(new(file, (int)node.Start.Line, (int)node.Start.Column, message));

    public void Add(string message) => problems.Add(new(file, null, null, message));

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>What a node is, in the words of the messages: "a mapping", "a list", "nothing", "'text'".</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "nothing",
        YamlScalarNode { Value: { } value } => $"'{(value.Length > 60 ? value[..60] + "…" : value)}'",
        _ => "an alias",
    };

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public YamlMappingNode? Mapping(YamlNode? node, string path, string expected)
    {
        if (node is null or YamlMappingNode) return node as YamlMappingNode;
        Add(node, $"{path} should be {expected}, found {Describe(node)}.");
        return null;
    }

    public YamlSequenceNode? Sequence(YamlNode? node, string path, string expected)
    {
        if (node is null || IsNull(node) || node is YamlSequenceNode) return node as YamlSequenceNode;
        Add(node, $"{path} should be {expected}, found {Describe(node)}.");
        return null;
    }

    /// <summary>The text of a scalar; null when absent or empty, with a problem when it is a mapping or a list.</summary>
    public string? Text(YamlNode? node, string path, string expected)
    {
        switch (node)
        {
            case null: return null;
            case YamlScalarNode scalar when !IsNull(scalar): return scalar.Value is { Length: > 0 } value ? value : null;
            case YamlScalarNode: return null;
            default:
                Add(node, $"{path} should be {expected}, found {Describe(node)}.");
                return null;
        }
    }

    /// <summary>A scalar that must be there: when absent or empty, says so at the mapping (or the empty value) with the fix.</summary>
    public string? RequiredText(YamlMappingNode map, string key, string path, string expected, string fix)
    {
        var node = Get(map, key);
        var text = Text(node, path, expected);
        if (text is null && node is null or YamlScalarNode)
            Add(node ?? map, node is null ? $"{path} is missing: {fix}" : $"{path} is empty: {fix}");
        return text;
    }

    /// <summary>Keys the file's owner does not define: a typo here would otherwise be ignored, or fail much later.</summary>
    public void UnknownKeys(YamlMappingNode map, string prefix, IReadOnlyCollection<string> known, string owner)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (known.Contains(name)) continue;
            var guess = known.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase))
                ?? known.FirstOrDefault(k => EditDistance(k, name) <= 2);
            Add(key, $"unknown field '{prefix}{name}'" + (guess is null
                ? $"; {owner} knows {string.Join(", ", known)}."
                : $": did you mean '{guess}'?"));
        }
    }

    /// <summary>Levenshtein distance, ignoring case; anything above 2 is reported as 3 (only near misses matter here).</summary>
    public static int EditDistance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2) return 3;
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
