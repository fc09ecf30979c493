using System.Text.RegularExpressions;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tests.Platform;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>Names the platform files declare, read from the files themselves (so a test never restates them either).</summary>
internal static partial class DeclaredNames
{
    [GeneratedRegex(@"\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:""?\w+""?\.)?""?(?<name>\w+)""?", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();

    /// <summary>The tables values/sql/*.sql creates.</summary>
    public static IReadOnlyList<string> SampleTables() =>
        Directory.EnumerateFiles(RepoRoot.File("values", "sql"), "*.sql")
            .SelectMany(file => CreateTable().Matches(File.ReadAllText(file)).Select(m => m.Groups["name"].Value))
            .Distinct().ToList();

    /// <summary>The buckets values/minio.yaml.gotmpl declares (templates stripped: the list itself is plain YAML).</summary>
    public static IReadOnlyList<string> MinioBuckets()
    {
        var root = (YamlMappingNode)Yaml.Parse(GoTemplate.Strip(File.ReadAllText(RepoRoot.File("values", "minio.yaml.gotmpl"))), "minio.yaml.gotmpl")[0].RootNode;
        return root.Items("buckets").OfType<YamlMappingNode>().Select(b => b.Scalar("name")).OfType<string>().ToList();
    }

    /// <summary>The Gateway API channel gateway-api.yaml's url names (…/&lt;channel&gt;-install.yaml).</summary>
    public static string GatewayChannel()
    {
        var url = Yaml.LoadMapping(RepoRoot.File("gateway-api.yaml")).Scalar("url")!;
        return Regex.Match(url, @"/(?<channel>[a-z]+)-install\.yaml$").Groups["channel"].Value;
    }
}
