using DataPlatform.Build.Host;
using DataPlatform.Build.ImageCache;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.ImageCache;

/// <summary>Doctor's image cache row, from `docker system df --verbose` as Docker prints it, over the repository's mirrors.</summary>
public class ImageCacheCheckTests
{
    static IReadOnlyList<RegistryMirror> Mirrors => RegistryMirrors.Load(RepoRoot.File("kind-config.yaml"));

    static string DiskUsage(params (string Volume, string Size)[] volumes) => string.Join('\n',
    [
        "Images space usage:", "", "REPOSITORY   TAG       IMAGE ID       CREATED       SIZE      SHARED SIZE   UNIQUE SIZE   CONTAINERS",
        "registry     3.0.0     6c5666b861f3   2 weeks ago   57.7MB    0B            57.7MB        4", "",
        "Containers space usage:", "", "CONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED   STATUS    NAMES", "",
        "Local Volumes space usage:", "", "VOLUME NAME                          LINKS     SIZE",
        .. volumes.Select(v => $"{v.Volume,-36} 1         {v.Size}"),
        "someone-elses-volume                 0         9.9GB", "",
        "Build cache usage: 0B",
    ]);

    [Fact]
    public void Created_mirrors_are_counted_and_their_volumes_summed_in_docker_s_decimal_units()
    {
        var mirrors = Mirrors;
        Assert.True(mirrors.Count >= 2, "the repository's kind-config.yaml lists mirrors");

        var check = ImageCacheCheck.Of(mirrors, new ToolResult(0, DiskUsage((mirrors[0].Volume, "1.5GB"), (mirrors[1].Volume, "600MB")), ""));

        Assert.Equal(CheckStatus.Ok, check.Status);
        Assert.StartsWith("2 mirrors, 2.1 GB", check.Detail);
        Assert.Contains($"{mirrors.Count - 2} of {mirrors.Count} not created yet", check.Detail);
        Assert.Contains($"{mirrors[0].Registry} 1.5GB", check.Detail);
        Assert.DoesNotContain("someone-elses-volume", check.Detail);   // only the mirrors kind-config.yaml names
        Assert.Contains("--target=Purge", check.Detail);
    }

    [Fact]
    public void No_mirror_volume_yet_reads_not_created_yet()
    {
        var check = ImageCacheCheck.Of(Mirrors, new ToolResult(0, DiskUsage(), ""));

        Assert.Equal(CheckStatus.Ok, check.Status);
        Assert.StartsWith($"not created yet: Up starts {Mirrors.Count} mirrors", check.Detail);
    }

    [Fact]
    public void A_size_docker_cannot_report_is_a_warning_that_does_not_stop_Up()
    {
        var check = ImageCacheCheck.Of(Mirrors, new ToolResult(1, "", "Error response from daemon: a disk usage operation is already running\n"));

        Assert.Equal(CheckStatus.Warning, check.Status);
        Assert.Contains("a disk usage operation is already running", check.Detail);
    }

    [Fact]
    public void Older_docker_s_sizes_with_a_space_before_the_unit_are_read_too()
    {
        var mirror = Mirrors[0];
        var check = ImageCacheCheck.Of([mirror], new ToolResult(0, DiskUsage((mirror.Volume, "2.1 GB")), ""));

        Assert.StartsWith("1 mirror, 2.1 GB", check.Detail);
    }

    [Fact]
    public async Task A_docker_system_df_that_outlasts_its_bound_is_a_warning_not_a_failure_that_stops_Up()
    {
        // Doctor is Up's first step: a slow size report on a large Docker must not stop the platform from coming up.
        var check = await ImageCacheCheck.MeasureAsync(Mirrors,
            _ => throw new ToolTimeoutException("docker system df --verbose", TimeSpan.FromMinutes(2), "check that docker answers"), CancellationToken.None);

        Assert.Equal(CheckStatus.Warning, check.Status);
        Assert.Contains("size could not be read", check.Detail);
        Assert.Contains("no answer within 2 min", check.Detail);
    }
}
