namespace DataPlatform.Build.Tests.Platform;

/// <summary>Every YAML file of the platform definition parses; templated ones after their Go actions are set aside.</summary>
public sealed class PlatformFilesParseTests
{
    public static TheoryData<string> PlainYamlFiles()
    {
        var files = new TheoryData<string>();
        foreach (var name in new[] { "kind-config.yaml", "helmfile.yaml", "gateway-api.yaml" })
        {
            files.Add(name);
        }

        foreach (var path in Directory.EnumerateFiles(RepoRoot.File("values"), "*.yaml"))
        {
            files.Add(Path.GetRelativePath(RepoRoot.Path, path));
        }

        foreach (var path in Directory.EnumerateFiles(RepoRoot.File("charts"), "*.yaml", SearchOption.AllDirectories)
                     .Where(p => !IsHelmTemplate(p)))
        {
            files.Add(Path.GetRelativePath(RepoRoot.Path, path));
        }

        return files;
    }

    public static TheoryData<string> TemplatedFiles()
    {
        var files = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(RepoRoot.File("values"), "*.gotmpl"))
        {
            files.Add(Path.GetRelativePath(RepoRoot.Path, path));
        }

        foreach (var path in Directory.EnumerateFiles(RepoRoot.File("charts"), "*.yaml", SearchOption.AllDirectories)
                     .Where(IsHelmTemplate))
        {
            files.Add(Path.GetRelativePath(RepoRoot.Path, path));
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(PlainYamlFiles))]
    public void Plain_yaml_file_parses_without_any_template_action(string relativePath)
    {
        var text = File.ReadAllText(RepoRoot.File(relativePath));

        Assert.False(text.Contains("{{"), $"{relativePath} holds Go template actions; name it *.gotmpl (helmfile.yaml must stay plain YAML for the build)");
        Assert.NotEmpty(Yaml.Parse(text, relativePath));
    }

    [Theory]
    [MemberData(nameof(TemplatedFiles))]
    public void Templated_file_has_balanced_actions_and_parses_once_they_are_set_aside(string relativePath)
    {
        var text = File.ReadAllText(RepoRoot.File(relativePath));

        Assert.True(GoTemplate.IsBalanced(text), $"{relativePath}: unbalanced or nested {{{{ }}}}");
        Assert.NotEmpty(Yaml.Parse(GoTemplate.Strip(text), relativePath));
    }

    [Fact]
    public void Every_values_file_is_either_yaml_or_yaml_gotmpl()
    {
        var others = Directory.EnumerateFiles(RepoRoot.File("values"))
            .Select(Path.GetFileName)
            .Where(n => !n!.EndsWith(".yaml", StringComparison.Ordinal) && !n.EndsWith(".yaml.gotmpl", StringComparison.Ordinal));

        Assert.Empty(others);
    }

    private static bool IsHelmTemplate(string path) =>
        path.Split(Path.DirectorySeparatorChar).Contains("templates");
}
