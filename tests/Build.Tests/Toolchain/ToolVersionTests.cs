using DataPlatform.Build.Platform;
using DataPlatform.Build.Toolchain;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.Toolchain;

public class ToolVersionTests
{
    [Theory]
    [InlineData("v1.99999999999.0")]
    [InlineData("Client Version: v1.2.99999999999999999999")]
    public void A_version_too_large_for_a_number_is_not_a_version_rather_than_a_crash(string output) =>
        Assert.False(ToolVersion.TryParse(output, out _));

    [Fact]
    public void A_too_large_number_is_skipped_for_the_next_version_in_the_output()
    {
        Assert.True(ToolVersion.TryParse("build 99999999999.0.0, kind v0.29.7", out var version));
        Assert.Equal("v0.29.7", version.ToString());
    }

    [Fact]
    public void Loading_a_pin_file_with_a_huge_version_fails_with_the_place_not_a_stack_trace()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "tools.yaml");
        File.WriteAllText(path, File.ReadAllText(Platform.RepoRoot.File("tools.yaml")).Replace($"version: {Toolchain.PinnedTools.Pins.Kubectl.Version}", "version: v1.99999999999.0"));
        var error = Assert.Throws<ConfigFileException>(() => ToolPins.Load(path));
        Assert.Matches(@"^tools\.yaml:\d+:\d+: kubectl\.version 'v1\.99999999999\.0' has a number larger than", error.Message);
        Assert.DoesNotContain("System.", error.Message);
    }
}
