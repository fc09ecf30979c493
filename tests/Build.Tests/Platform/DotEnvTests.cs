using DataPlatform.Build.Platform;
namespace DataPlatform.Build.Tests.Platform;

public sealed class DotEnvTests
{
    [Fact]
    public void Declares_the_domain_and_the_eight_credentials_with_a_comment_each()
    {
        string[] expected =
        [
            "GLOBAL_DOMAIN", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "AIRBYTE_S3_ACCESS_KEY", "AIRBYTE_S3_SECRET_KEY",
            "REGISTRY_USER", "REGISTRY_PASSWORD", "REGISTRY_S3_ACCESS_KEY", "REGISTRY_S3_SECRET_KEY",
        ];
        var lines = File.ReadAllLines(RepoRoot.File(".env"));
        var values = DotEnv.Load(RepoRoot.File(".env"));

        Assert.Equal(expected.Order(), values.Keys.Order());
        foreach (var key in expected)
        {
            var index = Array.FindIndex(lines, l => l.StartsWith(key + "=", StringComparison.Ordinal));
            Assert.True(index > 0 && lines[index - 1].TrimStart().StartsWith('#'), $".env: {key} has no comment line above it");
            Assert.False(string.IsNullOrWhiteSpace(values[key]), $".env: {key} is empty");
            Assert.DoesNotContain('"', values[key]);
            Assert.DoesNotContain('\'', values[key]);
        }

        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("export ", StringComparison.Ordinal));
    }
}
