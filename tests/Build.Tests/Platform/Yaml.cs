using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Tests.Platform;

internal static class Yaml
{
    /// <summary>Parses every document of a YAML text; throws with the file name on a syntax error.</summary>
    public static IReadOnlyList<YamlDocument> Parse(string text, string fileName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidOperationException($"{fileName}: YAML does not parse: {e.Message}", e);
        }

        return stream.Documents.ToList();
    }

    public static YamlMappingNode LoadMapping(string path)
    {
        var documents = Parse(File.ReadAllText(path), path);
        Assert.True(documents.Count == 1, $"{path}: expected one YAML document, found {documents.Count}");
        return Assert.IsType<YamlMappingNode>(documents[0].RootNode);
    }

    public static YamlNode? Get(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static string? Scalar(this YamlMappingNode node, string key) =>
        (node.Get(key) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(this YamlMappingNode node, string key) =>
        node.Get(key) is YamlSequenceNode sequence ? sequence.Children : [];
}
