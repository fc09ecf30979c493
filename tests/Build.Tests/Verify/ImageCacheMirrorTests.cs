using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using DataPlatform.Build.ImageCache;
using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>
/// The image cache's mirror configuration, for real: Debian's docker-registry (Distribution, the program of the
/// registry:3 image) started with the environment the build gives the mirror container, in front of another local
/// docker-registry that stands in for the upstream (Docker Hub, quay.io...). Only what cannot exist here changes: the
/// upstream URL points at the local one, and storage and listen address are a temporary directory and a free port
/// instead of the container's /var/lib/registry and :5000.
/// </summary>
public sealed class ImageCacheMirrorTests : IAsyncLifetime
{
    const string Binary = "/usr/bin/docker-registry";
    const string Repository = "library/tiny";
    readonly string _dir = Directory.CreateTempSubdirectory("image-cache-mirror-").FullName;
    readonly StringBuilder _upstreamLog = new(), _mirrorLog = new();
    ServerProcess? _upstream, _mirror;
    int _upstreamPort, _mirrorPort;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} is missing: the image cache is tested against Debian's docker-registry package (apt-get install -y docker-registry).");
        _upstreamPort = LocalServers.FreePort();
        _upstream = await StartAsync("upstream", _upstreamPort, new Dictionary<string, string>(), _upstreamLog);
    }

    async Task<ServerProcess> StartAsync(string name, int port, IReadOnlyDictionary<string, string> environment, StringBuilder log)
    {
        var config = Path.Combine(_dir, $"{name}.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {_dir}/{name}-data
            http:
              addr: 127.0.0.1:{port}
            """);
        var process = LocalServers.Start(Binary, ["serve", config], log, environment);
        await LocalServers.WaitForPortAsync(port, process, () => log.ToString());
        return process;
    }

    public Task DisposeAsync()
    {
        if (_mirror is not null) LocalServers.Stop(_mirror);
        if (_upstream is not null) LocalServers.Stop(_upstream);
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_mirror_serves_an_image_it_pulled_once_after_the_upstream_is_gone()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var upstream = new Uri($"http://127.0.0.1:{_upstreamPort}");
        var image = await PushTinyImageAsync(http, upstream);

        // The build's own mirror configuration, with the upstream rewritten to the local one and the container's storage
        // path (which the config file sets here) left out.
        var mirror = new RegistryMirror("docker.io", "data-platform-cache-docker-io", upstream, 1);
        var environment = ImageCacheService.EnvironmentOf(mirror).Where(kv => kv.Key != "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY").ToDictionary();
        Assert.Equal(upstream.AbsoluteUri.TrimEnd('/'), environment["REGISTRY_PROXY_REMOTEURL"]);
        _mirrorPort = LocalServers.FreePort();
        _mirror = await StartAsync("mirror", _mirrorPort, environment, _mirrorLog);
        var cache = new Uri($"http://127.0.0.1:{_mirrorPort}");

        var first = await PullAsync(http, cache, "v1");
        Assert.Equal(image.ManifestDigest, first.ManifestDigest);
        Assert.Equal(image.Layer, first.Layer);

        // The mirror stores what it proxied while it streams it back, so the pull can end before the copy is on disk:
        // wait (bounded) until both blobs are in its storage, as a cache that outlives its upstream must have them.
        await WaitUntilStoredAsync(image.ManifestDigest);
        await WaitUntilStoredAsync(Digest(image.Layer));
        LocalServers.Stop(_upstream!);
        _upstream = null;
        Assert.Throws<AggregateException>(() => http.GetAsync(new Uri(upstream, "/v2/")).Wait());

        var byTag = await PullAsync(http, cache, "v1");
        Assert.Equal(image.ManifestDigest, byTag.ManifestDigest);
        Assert.Equal(image.Layer, byTag.Layer);
        var byDigest = await PullAsync(http, cache, image.ManifestDigest);
        Assert.Equal(image.Layer, byDigest.Layer);

        // What containerd's fallback relies on: for anything it does not hold, the mirror answers an error, never an empty success.
        var neverPulled = await http.SendAsync(ManifestRequest(cache, "v2"));
        Assert.False(neverPulled.IsSuccessStatusCode, $"{(int)neverPulled.StatusCode}");
    }

    async Task WaitUntilStoredAsync(string digest)
    {
        var hex = digest["sha256:".Length..];
        var data = Path.Combine(_dir, "mirror-data", "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
        for (var waited = TimeSpan.Zero; !File.Exists(data); waited += TimeSpan.FromMilliseconds(100))
        {
            Assert.True(waited < TimeSpan.FromSeconds(30), $"the mirror never stored {digest} (looked for {data}):\n{_mirrorLog}");
            await Task.Delay(100);
        }
    }

    sealed record Pulled(string ManifestDigest, byte[] Layer);

    const string ManifestType = "application/vnd.docker.distribution.manifest.v2+json";

    static HttpRequestMessage ManifestRequest(Uri registry, string reference)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry, $"/v2/{Repository}/manifests/{reference}"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ManifestType));
        return request;
    }

    static async Task<Pulled> PullAsync(HttpClient http, Uri registry, string reference)
    {
        var response = await http.SendAsync(ManifestRequest(registry, reference));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"manifest {reference}: {(int)response.StatusCode} {body}");
        using var manifest = System.Text.Json.JsonDocument.Parse(body);
        var layerDigest = manifest.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!;
        var layer = await http.GetByteArrayAsync(new Uri(registry, $"/v2/{Repository}/blobs/{layerDigest}"));
        Assert.Equal(layerDigest, Digest(layer));
        return new Pulled(Digest(Encoding.UTF8.GetBytes(body)), layer);
    }

    /// <summary>A one-layer image pushed through the registry API: monolithic blob uploads, then the manifest under tag v1.</summary>
    static async Task<Pulled> PushTinyImageAsync(HttpClient http, Uri registry)
    {
        var layer = Encoding.UTF8.GetBytes("not really a tarball, but the registry only checks the digest\n");
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}""");
        foreach (var blob in new[] { layer, config })
        {
            var start = await http.PostAsync(new Uri(registry, $"/v2/{Repository}/blobs/uploads/"), null);
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            var location = new Uri(registry, start.Headers.Location!);
            var put = new UriBuilder(location) { Query = (location.Query.Length > 1 ? location.Query[1..] + "&" : "") + "digest=" + Uri.EscapeDataString(Digest(blob)) };
            var done = await http.PutAsync(put.Uri, new ByteArrayContent(blob) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } });
            Assert.True(done.StatusCode == HttpStatusCode.Created, await done.Content.ReadAsStringAsync());
        }
        var manifest = $$"""
            {"schemaVersion":2,"mediaType":"{{ManifestType}}",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":{{config.Length}},"digest":"{{Digest(config)}}"},
             "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":{{layer.Length}},"digest":"{{Digest(layer)}}"}]}
            """;
        var bytes = Encoding.UTF8.GetBytes(manifest);
        var pushed = await http.PutAsync(new Uri(registry, $"/v2/{Repository}/manifests/v1"),
            new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(ManifestType) } });
        Assert.True(pushed.StatusCode == HttpStatusCode.Created, await pushed.Content.ReadAsStringAsync());
        return new Pulled(Digest(bytes), layer);
    }

    static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
