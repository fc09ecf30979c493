using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Toolchain;
// Unix file modes: the toolchain (and these tests) run on Linux and macOS only.
#pragma warning disable CA1416
using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using DataPlatform.Build.Tools;
using Microsoft.AspNetCore.Http;

namespace DataPlatform.Build.Tests.Toolchain;

/// <summary>
/// A loopback HTTP server in the test process standing in for the upstream download sites (kind.sigs.k8s.io, dl.k8s.io,
/// get.helm.sh, github.com): it serves fixture files at the upstream paths, so DATA_PLATFORM_TOOLS_MIRROR can point at it.
/// It counts requests, and can cut a response off halfway to act out a dropped connection.
/// </summary>
sealed class FixtureMirror : IAsyncDisposable
{
    LoopbackServer _server = null!;
    readonly ConcurrentDictionary<string, byte[]> _files = new();
    readonly ConcurrentDictionary<string, bool> _cutOff = new();
    readonly ConcurrentQueue<string> _requests = new();

    FixtureMirror() { }

    public string BaseUrl => _server.BaseUrl;
    public IReadOnlyList<string> Requests => _requests.ToList();

    public static async Task<FixtureMirror> StartAsync()
    {
        var mirror = new FixtureMirror();
        mirror._server = await LoopbackServer.StartAsync(mirror.ServeAsync);
        return mirror;
    }

    async Task ServeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        _requests.Enqueue(path);
        if (!_files.TryGetValue(path, out var body))
        {
            context.Response.StatusCode = 404;
            return;
        }
        context.Response.ContentLength = body.Length;
        if (_cutOff.ContainsKey(path))
        {
            await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2));
            await context.Response.Body.FlushAsync();
            context.Abort();
            return;
        }
        await context.Response.Body.WriteAsync(body);
    }

    public void Put(Uri upstream, byte[] body) => _files[upstream.AbsolutePath] = body;
    public void Put(Uri upstream, string body) => Put(upstream, Encoding.UTF8.GetBytes(body));
    public void CutOffHalfway(Uri upstream) => _cutOff[upstream.AbsolutePath] = true;

    /// <summary>Publishes every pinned tool for <paramref name="platform"/> with the checksum file upstream publishes next to it.</summary>
    public void PublishAll(ToolPins pins, HostPlatform platform)
    {
        foreach (var pin in pins.Binaries.Append(pins.HelmDiff)) Publish(ToolAssets.For(pin, platform), platform);
    }

    public void Publish(ToolAsset asset, HostPlatform platform)
    {
        var body = asset.Tool switch
        {
            "kind" or "kubectl" => Encoding.UTF8.GetBytes(StandIn.Script(asset.Tool, asset.Version)),
            "helm" => TarGz(($"{platform.Os}-{platform.Arch}/helm", StandIn.Script("helm", asset.Version)), ($"{platform.Os}-{platform.Arch}/LICENSE", "Apache-2.0")),
            "helmfile" => TarGz(("LICENSE", "MIT"), ("helmfile", StandIn.Script("helmfile", asset.Version))),
            "helm-diff" => TarGz(("diff/plugin.yaml", $"name: diff\nversion: \"{asset.Version.Bare}\"\nusage: stand-in\n"),
                ("diff/bin/diff", "#!/bin/sh\necho stand-in helm-diff\n"), ("diff/README.md", "stand-in")),
            _ => throw new ArgumentException(asset.Tool),
        };
        Put(asset.Url, body);
        var hash = Sha256(body);
        // Each tool's own checksum convention (see ToolAssets): hash only, one "<hash>  <name>" line, or a list.
        Put(asset.ChecksumUrl, asset.Tool switch
        {
            "kubectl" => hash,
            "kind" or "helm" => $"{hash}  {asset.FileName}\n",
            _ => $"{Sha256([1])}  other_asset_darwin_arm64.tar.gz\n{hash}  {asset.FileName}\n{Sha256([2])}  other_asset_linux_arm64.tar.gz\n",
        });
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static byte[] TarGz(params (string Name, string Content)[] files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, content) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                };
                tar.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
    }
}

/// <summary>Stand-in tools: tiny shell scripts that answer their version command the way the real tool words it.</summary>
static class StandIn
{
    public static string Script(string tool, ToolVersion version) => tool switch
    {
        "kind" => $"#!/bin/sh\necho \"kind {version} go1.25.1 linux/amd64\"\n",
        // Like every kubectl call in the build, the probe must name the platform's context.
        "kubectl" => $"#!/bin/sh\n[ \"$1\" = --context ] || {{ echo 'stand-in kubectl: called without --context' >&2; exit 1; }}\n" +
            $"echo \"Client Version: {version}\"\necho \"Kustomize Version: v5.7.1\"\n",
        "helm" => $"#!/bin/sh\necho \"{version}+g0123abc\"\n",
        "helmfile" => $"#!/bin/sh\necho \"{version.Bare}\"\n",
        _ => throw new ArgumentException(tool),
    };

    /// <summary>Writes a stand-in into <paramref name="folder"/>, executable, as a user's own install would be.</summary>
    public static string Install(string folder, string tool, ToolVersion version)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, tool);
        File.WriteAllText(path, Script(tool, version));
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }
}
