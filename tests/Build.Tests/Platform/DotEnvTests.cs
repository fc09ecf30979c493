using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>Invariants of the committed .env: whatever keys it holds, each is explained, set, and read by someone.</summary>
public sealed class DotEnvTests
{
    [Fact]
    public void Every_key_has_a_comment_above_it_and_a_plain_value()
    {
        var lines = File.ReadAllLines(RepoRoot.File(".env"));
        var values = DotEnv.Load(RepoRoot.File(".env"));
        Assert.NotEmpty(values);

        foreach (var key in values.Keys)
        {
            var index = Array.FindIndex(lines, l => l.StartsWith(key + "=", StringComparison.Ordinal));
            Assert.True(index > 0 && lines[index - 1].TrimStart().StartsWith('#'), $".env: {key} has no comment line above it");
            Assert.False(string.IsNullOrWhiteSpace(values[key]), $".env: {key} is empty");
            Assert.DoesNotContain('"', values[key]);
            Assert.DoesNotContain('\'', values[key]);
        }

        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("export ", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_key_is_read_by_a_values_template_or_by_the_build()
    {
        // REGISTRY_USER and REGISTRY_PASSWORD are read by the build, which turns them into REGISTRY_HTPASSWD.
        var readByTemplates = Directory.EnumerateFiles(RepoRoot.File("values"), "*.gotmpl")
            .SelectMany(f => GoTemplate.EnvironmentVariables(File.ReadAllText(f))).ToHashSet();
        var buildSources = string.Join("\n", Directory.EnumerateFiles(RepoRoot.File("build"), "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText));

        foreach (var key in DotEnv.Load(RepoRoot.File(".env")).Keys)
        {
            Assert.True(readByTemplates.Contains(key) || buildSources.Contains($"\"{key}\"", StringComparison.Ordinal),
                $".env declares {key}, but no values template and no build code reads it");
        }
    }
}
