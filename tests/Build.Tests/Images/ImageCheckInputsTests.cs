using System.Text.RegularExpressions;
using DataPlatform.Build.MetalLb;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Images;

/// <summary>
/// On a cold Up the charts are rendered for the image check before the kind network exists, so METALLB_IP_RANGE is the
/// preset value or a placeholder. That is sound only while no values file that reads it has a say in an image.
/// </summary>
public class ImageCheckInputsTests
{
    [Fact]
    public void The_values_files_that_read_METALLB_IP_RANGE_set_no_image()
    {
        var readers = Directory.EnumerateFiles(RepoRoot.File("values"), "*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains(MetalLbService.Variable)).ToList();

        Assert.NotEmpty(readers);   // the MetalLB address pool reads it
        Assert.All(readers, file => Assert.DoesNotMatch(new Regex(@"(?im)^\s*(-\s*)?(image|repository|tag|imageName|registry)\s*:"), File.ReadAllText(file)));
    }

    [Fact]
    public void Before_the_cluster_the_preset_range_wins_and_otherwise_a_never_routed_placeholder_is_used()
    {
        var root = RepoRoot.Path;
        var preset = PlatformEnvironment.Load(root, name => name == MetalLbService.Variable ? "172.18.255.200-172.18.255.250" : null);
        var unset = PlatformEnvironment.Load(root, _ => null);

        Assert.Equal("172.18.255.200-172.18.255.250", DeploymentInputs.MetalLbRangeBeforeCluster(preset).Range);
        var placeholder = DeploymentInputs.MetalLbRangeBeforeCluster(unset).Range;
        Assert.True(AddressRange.TryParse(placeholder, out _, out var problem), problem);   // a range MetalLB's templates would accept
        Assert.StartsWith("192.0.2.", placeholder);   // TEST-NET-1 (RFC 5737)
    }
}
