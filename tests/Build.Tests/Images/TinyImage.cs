using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace DataPlatform.Build.Tests.Images;

/// <summary>Pushes a tiny image into a registry through its HTTP API (blob uploads, then the manifest), as docker push does.</summary>
static class TinyImage
{
    /// <returns>The manifest's digest (sha256:…), as the registry reports it: what an image pinned by digest names.</returns>
    public static async Task<string> PushAsync(Uri registry, string repository, string tag)
    {
        using var http = new HttpClient { BaseAddress = registry, Timeout = TimeSpan.FromSeconds(10) };
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        var layer = Encoding.UTF8.GetBytes("not really a tar: the registry stores blobs without reading them");
        var configDigest = await PushBlobAsync(http, repository, config);
        var layerDigest = await PushBlobAsync(http, repository, layer);
        var manifest = $$"""
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":{{config.Length}},"digest":"{{configDigest}}"},
             "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":{{layer.Length}},"digest":"{{layerDigest}}"}]}
            """;
        using var content = new StringContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.docker.distribution.manifest.v2+json");
        using var put = await http.PutAsync($"/v2/{repository}/manifests/{tag}", content);
        Assert.True(put.StatusCode == HttpStatusCode.Created, $"manifest PUT answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
        return put.Headers.GetValues("Docker-Content-Digest").Single();
    }

    static async Task<string> PushBlobAsync(HttpClient http, string repository, byte[] blob)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob));
        using var start = await http.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!;
        var upload = new UriBuilder(location.IsAbsoluteUri ? location : new Uri(http.BaseAddress!, location));
        upload.Query = (upload.Query.TrimStart('?') is { Length: > 0 } q ? q + "&" : "") + "digest=" + Uri.EscapeDataString(digest);
        using var body = new ByteArrayContent(blob);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var put = await http.PutAsync(upload.Uri, body);
        Assert.True(put.StatusCode == HttpStatusCode.Created, $"blob PUT answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
        return digest;
    }
}
