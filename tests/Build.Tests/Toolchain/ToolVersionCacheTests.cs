using DataPlatform.Build.ImageCache;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.Toolchain;

/// <summary>The version cache in .tools: a binary is asked once, again when it changes, and a damaged cache costs only a probe.</summary>
public sealed class ToolVersionCacheTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("version-cache-").FullName;
    int _probes;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Cache => Path.Combine(_dir, ".tools", ToolVersionCache.FileName);

    Task<ToolVersion?> Probe(string answer = "v4.3.0")
    {
        _probes++;
        return Task.FromResult<ToolVersion?>(ToolVersion.TryParse(answer, out var v) ? v : null);
    }

    string Binary(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task A_binary_is_asked_once_and_again_after_it_changed()
    {
        var helm = Binary("helm", "#!/bin/sh\n");
        var cache = new ToolVersionCache(Cache);

        Assert.Equal(new ToolVersion(4, 3, 0), await cache.GetOrProbeAsync("helm", helm, () => Probe()));
        Assert.Equal(new ToolVersion(4, 3, 0), await new ToolVersionCache(Cache).GetOrProbeAsync("helm", helm, () => Probe("v9.9.9")));
        Assert.Equal(1, _probes);

        File.AppendAllText(helm, "# upgraded\n");
        Assert.Equal(new ToolVersion(4, 4, 0), await cache.GetOrProbeAsync("helm", helm, () => Probe("v4.4.0")));
        Assert.Equal(2, _probes);
    }

    [Fact]
    public async Task A_symlink_is_keyed_by_the_file_it_points_at()
    {
        var real = Binary("kind-v0.30.0", "#!/bin/sh\n");
        var link = Path.Combine(_dir, "kind");
        File.CreateSymbolicLink(link, real);
        var cache = new ToolVersionCache(Cache);

        await cache.GetOrProbeAsync("kind", real, () => Probe("v0.30.0"));
        Assert.Equal(new ToolVersion(0, 30, 0), await cache.GetOrProbeAsync("kind", link, () => Probe("v1.0.0")));
        Assert.Equal(1, _probes);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[1, 2]")]
    [InlineData("")]
    public async Task A_corrupt_cache_is_ignored_and_rewritten(string damaged)
    {
        var helm = Binary("helm", "#!/bin/sh\n");
        Directory.CreateDirectory(Path.GetDirectoryName(Cache)!);
        File.WriteAllText(Cache, damaged);

        Assert.Equal(new ToolVersion(4, 3, 0), await new ToolVersionCache(Cache).GetOrProbeAsync("helm", helm, () => Probe()));
        Assert.Equal(new ToolVersion(4, 3, 0), await new ToolVersionCache(Cache).GetOrProbeAsync("helm", helm, () => Probe("v1.0.0")));
        Assert.Equal(1, _probes);
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(Cache)!, "*.tmp"));
    }

    [Fact]
    public async Task A_failed_probe_is_not_kept_and_plan_writes_nothing()
    {
        var helm = Binary("helm", "#!/bin/sh\n");

        Assert.Null(await new ToolVersionCache(Cache).GetOrProbeAsync("helm", helm, () => Probe("no version here")));
        Assert.False(File.Exists(Cache));
        Assert.NotNull(await new ToolVersionCache(Cache, readOnly: true).GetOrProbeAsync("helm", helm, () => Probe()));
        Assert.False(File.Exists(Cache));
    }

    [Fact]
    public void Sha256sum_lines_are_read_per_file_and_anything_else_is_skipped_so_that_file_is_written()
    {
        var hash = new string('a', 64);
        var sums = ImageCacheService.ParseChecksums($"{hash}  /etc/containerd/certs.d/docker.io/hosts.toml\n{hash} */bin/mode\nsha256sum: /x: No such file or directory\n");

        Assert.Equal(hash, sums["/etc/containerd/certs.d/docker.io/hosts.toml"]);
        Assert.Equal(hash, sums["/bin/mode"]);
        Assert.Equal(2, sums.Count);
    }
}
