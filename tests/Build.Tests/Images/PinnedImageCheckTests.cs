using DataPlatform.Build.Access;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.ImageCache;
using DataPlatform.Build.Images;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Platform;
using DataPlatform.Build.Tests.Verify;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.Images;

/// <summary>
/// The images the build pins itself (kind node, image cache mirror, access proxy): which ones a run asks about, and how
/// a wrong digest fails. The pins' own registries are replaced by Debian's docker-registry on loopback through the
/// client's endpoint map (the one seam that differs from the build), since the real ones cannot be reached here.
/// </summary>
public sealed class PinnedImageCheckTests(OpenRegistryServer registry) : IClassFixture<OpenRegistryServer>
{
    static readonly HttpClient Http = new();
    static KindConfig RepositoryKindConfig => KindConfig.Load(RepoRoot.File("kind-config.yaml"));

    [Fact]
    public void Only_the_pins_this_run_will_pull_are_asked_about()
    {
        var config = RepositoryKindConfig;

        var cold = BuildImages.ToPull(config, createsCluster: true, startsMirrors: true, publishes: true);
        var warmDirect = BuildImages.ToPull(config, createsCluster: false, startsMirrors: false, publishes: false);
        var warmPublished = BuildImages.ToPull(config, createsCluster: false, startsMirrors: false, publishes: true);

        // Every node runs the same pinned image (the validator insists), so it is asked about once.
        var nodeImages = config.Nodes.Select(n => n.Image).Distinct().ToList();
        Assert.Equal([.. nodeImages, ImageCacheService.Image, PortProxyService.Image], cold.Select(p => p.Image));
        Assert.Empty(warmDirect);
        Assert.Equal([PortProxyService.Image], warmPublished.Select(p => p.Image));
    }

    [Fact]
    public void The_node_image_is_named_by_its_line_in_kind_config()
    {
        var config = RepositoryKindConfig;
        var node = Assert.Single(BuildImages.ToPull(config, createsCluster: true, startsMirrors: false, publishes: false));

        var line = File.ReadAllLines(config.Path).ToList().FindIndex(l => l.Contains(node.Image)) + 1;
        Assert.True(line > 0);
        Assert.Equal($"kind-config.yaml line {line}", node.Where);
    }

    [Fact]
    public async Task A_wrong_pinned_digest_fails_naming_the_file_the_constant_and_how_to_find_the_digest()
    {
        var local = new Uri($"http://127.0.0.1:{registry.Port}");
        var digest = await TinyImage.PushAsync(local, "library/haproxy", "3.2-alpine");
        const string host = "pins.example.test";
        var client = new RegistryClient(Http, h => h == host ? local : throw new InvalidOperationException($"the test asked for {h}"), TimeSpan.FromSeconds(5));
        var console = new TestConsole { Profile = { Width = 400 } };
        var check = new ImagePreCheck(client, RepoRoot.Path, console);
        var proxy = BuildImages.ToPull(RepositoryKindConfig, createsCluster: false, startsMirrors: false, publishes: true).Single();
        var wrongDigest = "sha256:" + new string('0', 64);

        var good = proxy with { Image = $"{host}/library/haproxy:3.2-alpine@{digest}" };
        Assert.Equal(1, await check.RunAsync("", [], [good], CancellationToken.None));
        Assert.Contains("1 of 1 images found", console.Output);

        var wrong = proxy with { Image = $"{host}/library/haproxy:3.2-alpine@{wrongDigest}" };
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => check.RunAsync("", [], [wrong], CancellationToken.None));
        Assert.Contains($"the access proxy image (build/Access/PortProxyService.cs (PortProxyService.Image)): image {wrong.Image}", failure.Message);
        Assert.Contains($"no digest {wrongDigest} in library/haproxy", failure.Message);
        Assert.Contains("docker buildx imagetools inspect haproxy:3.2-alpine", failure.Message);
        Assert.Contains("the build stops before anything pulls them", failure.Message);
    }

    [Fact]
    public async Task The_mirror_pin_offers_running_without_the_cache_as_the_way_out()
    {
        var local = new Uri($"http://127.0.0.1:{registry.Port}");
        const string host = "pins.example.test";
        var client = new RegistryClient(Http, _ => local, TimeSpan.FromSeconds(5));
        var mirror = BuildImages.ToPull(RepositoryKindConfig, createsCluster: false, startsMirrors: true, publishes: false).Single();
        var wrong = mirror with { Image = $"{host}/library/registry:3.0.0@sha256:{new string('1', 64)}" };

        var failure = await Assert.ThrowsAsync<BuildFailure>(() =>
            new ImagePreCheck(client, RepoRoot.Path, new TestConsole()).RunAsync("", [], [wrong], CancellationToken.None));

        Assert.Contains("build/Services/ImageCacheService.cs (ImageCacheService.Image)", failure.Message);
        Assert.Contains($"{ImageCacheSetting.Variable}=off", failure.Message);
    }
}
