using System.Diagnostics;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using DataPlatform.Build.Tests.Infrastructure;

namespace DataPlatform.Build.Tests.RealDockerd;

/// <summary>
/// The three images the build runs, made on this machine from Debian's binaries (no internet), pushed to a registry
/// on 127.0.0.1 so each has a real digest, then removed from the daemon so the build's `docker run` pulls them by
/// digest, as it pulls the real ones:
/// <list type="bullet">
/// <item>a kind node stand-in: busybox-static (sh, cat, mkdir, mv, printf, dirname, sleep; wget and httpd for the tests), kept running by sleep;</item>
/// <item>the image cache's mirror: Debian's docker-registry (Distribution), serving a plain config on :5000;</item>
/// <item>the access proxy: Debian's haproxy with the shared libraries ldd lists, and busybox's sh and printf for its start command.</item>
/// </list>
/// dockerd trusts registries on 127.0.0.0/8 over plain HTTP by default, so no --insecure-registry is needed.
/// </summary>
public sealed class LocalImages : IAsyncDisposable
{
    readonly System.Diagnostics.Process _registry;
    readonly string _directory;

    LocalImages(System.Diagnostics.Process registry, string directory, int port)
    {
        _registry = registry;
        _directory = directory;
        RegistryHost = $"127.0.0.1:{port}";
    }

    public string RegistryHost { get; }
    /// <summary>Each image by the name the build pins (e.g. "registry:3.0.0") → the loopback reference with its real digest.</summary>
    public Dictionary<string, string> ByPinnedName { get; } = new();

    public const string NodeApplets = "sh cat sha256sum mkdir mv printf dirname sleep rm ls wget httpd";

    public static async Task<LocalImages> BuildAsync(PrivateDockerd daemon, string nodeName, string mirrorName, string proxyName)
    {
        var directory = Directory.CreateTempSubdirectory("dockerd-images-").FullName;
        var port = LoopbackServer.FreePort();
        var storage = Directory.CreateDirectory(Path.Combine(directory, "registry-storage")).FullName;
        var config = Path.Combine(directory, "registry.yml");
        File.WriteAllText(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {storage}
            http:
              addr: 127.0.0.1:{port}
            """);
        var registry = System.Diagnostics.Process.Start(new ProcessStartInfo("/usr/bin/docker-registry", ["serve", config])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        registry.OutputDataReceived += (_, _) => { };
        registry.ErrorDataReceived += (_, _) => { };
        registry.BeginOutputReadLine();
        registry.BeginErrorReadLine();
        var images = new LocalImages(registry, directory, port);
        try
        {
            await images.WaitForRegistryAsync();
            var busybox = new[] { "/usr/bin/busybox", "/bin/busybox" }.First(File.Exists);

            var node = Rootfs(directory, "node");
            Busybox(node, busybox, NodeApplets.Split(' '));
            await images.PublishAsync(daemon, node, nodeName, ["ENTRYPOINT [\"/bin/sleep\", \"2147483647\"]"]);

            var mirror = Rootfs(directory, "mirror");
            await CopyWithLibrariesAsync(mirror, "/usr/bin/docker-registry");
            Directory.CreateDirectory(Path.Combine(mirror, "etc/docker/registry"));
            File.WriteAllText(Path.Combine(mirror, "etc/docker/registry/config.yml"), """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: /var/lib/registry
                http:
                  addr: :5000
                """);
            await images.PublishAsync(daemon, mirror, mirrorName,
                ["ENTRYPOINT [\"/usr/bin/docker-registry\"]", "CMD [\"serve\", \"/etc/docker/registry/config.yml\"]"]);

            var proxy = Rootfs(directory, "proxy");
            await CopyWithLibrariesAsync(proxy, "/usr/sbin/haproxy");
            Busybox(proxy, busybox, ["sh", "printf", "cat"]);
            await images.PublishAsync(daemon, proxy, proxyName, ["CMD [\"haproxy\", \"-v\"]", "ENV PATH=/usr/sbin:/usr/bin:/bin"]);
            return images;
        }
        catch
        {
            await images.DisposeAsync();
            throw;
        }
    }

    async Task WaitForRegistryAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if ((await http.GetAsync($"http://{RegistryHost}/v2/")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline || _registry.HasExited)
                throw new InvalidOperationException($"the loopback registry (/usr/bin/docker-registry) did not answer on {RegistryHost} within 30 s");
            await Task.Delay(100);
        }
    }

    /// <summary>docker import of the folder, push, and the digest the registry gave it; the local copy is dropped.</summary>
    async Task PublishAsync(PrivateDockerd daemon, string rootfs, string pinnedName, string[] changes)
    {
        var reference = $"{RegistryHost}/{pinnedName}";
        var tar = Path.Combine(_directory, Path.GetFileName(rootfs) + ".tar");
        await Cli.Wrap("tar").WithArguments(["-C", rootfs, "-cf", tar, "."]).ExecuteAsync();
        await daemon.DockerAsync(["import", .. changes.SelectMany(c => new[] { "--change", c }), tar, reference]);
        var push = await daemon.DockerAsync("push", reference);
        var digest = Regex.Match(push, @"digest: (sha256:[0-9a-f]{64})").Groups[1].Value;
        if (digest.Length == 0) throw new InvalidOperationException($"docker push {reference} printed no digest:\n{push}");
        await daemon.DockerAsync("image", "rm", reference);
        ByPinnedName[pinnedName] = $"{reference}@{digest}";
    }

    static string Rootfs(string directory, string name)
    {
        var root = Directory.CreateDirectory(Path.Combine(directory, name)).FullName;
        foreach (var d in new[] { "bin", "tmp", "etc", "var/lib" }) Directory.CreateDirectory(Path.Combine(root, d));
        File.SetUnixFileMode(Path.Combine(root, "tmp"), (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
        File.WriteAllText(Path.Combine(root, "etc/passwd"), "root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n");
        File.WriteAllText(Path.Combine(root, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        return root;
    }

    static void Busybox(string root, string busybox, IEnumerable<string> applets)
    {
        File.Copy(busybox, Path.Combine(root, "bin/busybox"));
        foreach (var applet in applets) File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
    }

    /// <summary>A dynamically linked program and every library ldd lists, at the same paths (the loader included).</summary>
    static async Task CopyWithLibrariesAsync(string root, string program)
    {
        var ldd = await Cli.Wrap("ldd").WithArguments([program]).ExecuteBufferedAsync();
        var files = Regex.Matches(ldd.StandardOutput, @"(/\S+)").Select(m => m.Groups[1].Value).Where(File.Exists).Prepend(program).Distinct();
        foreach (var file in files)
        {
            var target = Path.Combine(root, file.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(new FileInfo(file).ResolveLinkTarget(true)?.FullName ?? file, target, overwrite: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { if (!_registry.HasExited) { _registry.Kill(); await _registry.WaitForExitAsync(); } } catch (InvalidOperationException) { }
        _registry.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
