using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using Spectre.Console;

// Unix file modes: EnsureTools runs on Linux and macOS only (HostPlatform refuses anything else first).
#pragma warning disable CA1416

namespace DataPlatform.Build.Toolchain;

/// <summary>
/// Everything the installer needs to know about the machine, passed in rather than read from the process, so tests can
/// describe a machine (its PATH, its mirror) without touching the test process's own environment.
/// </summary>
/// <param name="ToolsDirectory">&lt;root&gt;/.tools/bin: where pinned binaries are installed; first on every child's PATH.</param>
/// <param name="HelmPluginsDirectory">&lt;root&gt;/.tools/helm-plugins: the HELM_PLUGINS of every child, holding helm-diff.</param>
/// <param name="SearchPath">The PATH on which to look for copies the user already has.</param>
/// <param name="Mirror">DATA_PLATFORM_TOOLS_MIRROR, if set.</param>
/// <param name="KubeContext">The platform's context: kubectl is never called without it, not even for its version.</param>
/// <param name="Plan">--plan: look, but download and change nothing.</param>
internal sealed record ToolchainRequest(
    string ToolsDirectory, string HelmPluginsDirectory, string SearchPath, string? Mirror, HostPlatform Platform, string KubeContext, bool Plan,
    bool WithoutKind = false);

internal enum ToolStatus { FoundOnPath, Cached, Installed, WouldInstall }

/// <summary>One line of the final report: what the build will use for this tool and where it is.</summary>
internal sealed record ToolReport(string Tool, ToolStatus Status, string Version, string Path, string? Note = null);

/// <summary>
/// Decides, per tool, between a good copy on PATH, the cached pinned copy, and a fresh checksum-verified download.
/// A download goes to a temporary file next to its destination and is moved into place only once verified (and
/// unpacked), so an interrupted run never leaves a half-written or unverified executable where the build looks.
/// Each binary's version is asked once and kept in <see cref="ToolVersionCache"/> until the binary changes.
/// </summary>
internal sealed class ToolInstaller(IToolRunner runner, IAnsiConsole console, HttpClient http, ToolVersionCache? versions = null)
{
    const string TempMarker = ".partial-";

    public async Task<IReadOnlyList<ToolReport>> EnsureAsync(ToolPins pins, ToolchainRequest request, CancellationToken ct)
    {
        RemoveLeftovers(request);
        var reports = new List<ToolReport>();
        // An existing cluster (PLATFORM_CONTEXT) never runs kind, so it is neither looked for nor installed.
        foreach (var pin in pins.Binaries.Where(p => !(request.WithoutKind && p == pins.Kind))) reports.Add(await EnsureBinaryAsync(pin, request, ct));
        reports.Add(await EnsureHelmDiffAsync(pins.HelmDiff, request, ct));
        return reports;
    }

    /// <summary>The command that asks a tool for its version. None of them contacts a cluster.</summary>
    public static ToolCommand VersionCommand(string tool, string executable, string kubeContext) => tool switch
    {
        "kind" => new ToolCommand(executable, ["version"]),
        // --client reads no kubeconfig, so this works before the cluster (and its context) exists; --context is
        // still passed because no kubectl call in this build goes without it.
        "kubectl" => new ToolCommand(executable, ["--context", kubeContext, "version", "--client"]),
        "helm" => new ToolCommand(executable, ["--kube-context", kubeContext, "version", "--short"]),
        "helmfile" => new ToolCommand(executable, ["--kube-context", kubeContext, "version", "-o", "short"]) { Environment = Tools.Helmfile.ChildEnvironment() },
        _ => throw new ArgumentException($"no version command for '{tool}'"),
    } with { AllowFailure = true };

    async Task<ToolReport> EnsureBinaryAsync(ToolPin pin, ToolchainRequest request, CancellationToken ct)
    {
        var local = Path.Combine(request.ToolsDirectory, pin.Name);
        string? note = null;
        if (File.Exists(local))
        {
            // Our own copy: trusted only if it still runs and reports the pin (a bumped pin replaces it).
            var cached = await ProbeAsync(pin.Name, local, request.KubeContext, ct);
            if (cached == pin.Version) return new ToolReport(pin.Name, ToolStatus.Cached, cached.ToString(), local);
            note = $"the cached copy is {cached?.ToString() ?? "unusable"}, the pin is {pin.Version}";
        }
        else if (FindOnPath(pin.Name, request.SearchPath, request.ToolsDirectory) is { } onPath)
        {
            var found = await ProbeAsync(pin.Name, onPath, request.KubeContext, ct);
            if (found is not null && pin.Accepts(found)) return new ToolReport(pin.Name, ToolStatus.FoundOnPath, found.ToString(), onPath);
            note = $"{onPath} is {found?.ToString() ?? "unusable (no version)"}, older than the minimum {pin.Minimum ?? pin.Version}";
        }

        var asset = ToolAssets.For(pin, request.Platform);
        var url = MirrorUrl.Apply(asset.Url, request.Mirror);
        if (request.Plan)
        {
            console.MarkupLineInterpolated($"[yellow]plan:[/] would download [bold]{pin.Name} {pin.Version}[/] from {url} into {request.ToolsDirectory}");
            return new ToolReport(pin.Name, ToolStatus.WouldInstall, pin.Version.ToString(), local, note);
        }
        if (note is not null) console.MarkupLineInterpolated($"[grey]{pin.Name}: {note}; installing {pin.Version}.[/]");

        Directory.CreateDirectory(request.ToolsDirectory);
        var how = asset.Packing == AssetPacking.Executable
            ? $"save it as {local} and make it executable (chmod +x)"
            : $"extract {asset.ArchiveMember} from it to {local} and make it executable (chmod +x)";
        await InstallAsync(asset, request, local, how, async (download, staged) =>
        {
            if (asset.Packing == AssetPacking.Executable) File.Move(download, staged);
            else await ExtractFileAsync(download, asset.ArchiveMember!, staged, ct);
            File.SetUnixFileMode(staged, Executable);
            File.Move(staged, local, overwrite: true);
        }, ct);

        var installed = await ProbeAsync(pin.Name, local, request.KubeContext, ct);
        return new ToolReport(pin.Name, ToolStatus.Installed, installed?.ToString() ?? pin.Version.ToString(), local, note);
    }

    async Task<ToolReport> EnsureHelmDiffAsync(ToolPin pin, ToolchainRequest request, CancellationToken ct)
    {
        // helm reads HELM_PLUGINS/<folder>/plugin.yaml; the build points HELM_PLUGINS at our folder for its children.
        var pluginDir = Path.Combine(request.HelmPluginsDirectory, "diff");
        var cached = HelmPluginVersion(pluginDir);
        if (cached == pin.Version && File.Exists(Path.Combine(pluginDir, "bin", "diff")))
            return new ToolReport(pin.Name, ToolStatus.Cached, cached.ToString(), pluginDir);
        var note = cached is null ? null : $"the cached plugin is {cached}, the pin is {pin.Version}";

        var asset = ToolAssets.For(pin, request.Platform);
        if (request.Plan)
        {
            console.MarkupLineInterpolated($"[yellow]plan:[/] would download [bold]helm-diff {pin.Version}[/] from {MirrorUrl.Apply(asset.Url, request.Mirror)} into {pluginDir}");
            return new ToolReport(pin.Name, ToolStatus.WouldInstall, pin.Version.ToString(), pluginDir, note);
        }

        Directory.CreateDirectory(request.HelmPluginsDirectory);
        await InstallAsync(asset, request, pluginDir, $"extract its diff/ folder to {pluginDir}", async (download, staged) =>
        {
            await ExtractFolderAsync(download, asset.ArchiveMember!, staged, ct);
            var binary = Path.Combine(staged, "bin", "diff");
            if (!File.Exists(binary))
                throw new BuildFailure($"{asset.FileName} holds no diff/bin/diff: it is not a helm-diff {pin.Version} release for {request.Platform}.");
            File.SetUnixFileMode(binary, Executable);
            // Swap folders: the old plugin stays whole until the new one is complete.
            var old = Path.Combine(request.HelmPluginsDirectory, $".diff{TempMarker}old-{Guid.NewGuid():N}");
            if (Directory.Exists(pluginDir)) Directory.Move(pluginDir, old);
            Directory.Move(staged, pluginDir);
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        }, ct);

        var installed = HelmPluginVersion(pluginDir);
        return new ToolReport(pin.Name, ToolStatus.Installed, installed?.ToString() ?? pin.Version.ToString(), pluginDir, note);
    }

    const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// Fetches the checksum, downloads next to the destination, verifies, then lets <paramref name="place"/> unpack into
    /// a staging path and move it into place. Whatever happens, the temporary files are gone afterwards.
    /// </summary>
    async Task InstallAsync(ToolAsset asset, ToolchainRequest request, string destination, string howByHand,
        Func<string, string, Task> place, CancellationToken ct)
    {
        var url = MirrorUrl.Apply(asset.Url, request.Mirror);
        var checksumUrl = MirrorUrl.Apply(asset.ChecksumUrl, request.Mirror);
        string ByHand(string problem) =>
            $"{problem}{Environment.NewLine}  To install {asset.Tool} {asset.Version} by hand: download {url}, check its SHA-256 against {checksumUrl}, " +
            $"then {howByHand}, and run ./build.sh --target=EnsureTools again. Behind a proxy or offline, set {MirrorUrl.Variable} to a mirror holding the same paths.";

        var folder = Path.GetDirectoryName(destination)!;
        var name = Path.GetFileName(destination);
        var download = Path.Combine(folder, $".{name}{TempMarker}{Guid.NewGuid():N}.download");
        var staged = Path.Combine(folder, $".{name}{TempMarker}{Guid.NewGuid():N}.new");
        try
        {
            string checksumText;
            try { checksumText = await http.GetStringAsync(checksumUrl, ct); }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested)) { throw new BuildFailure(ByHand($"Could not download the checksum of {asset.Tool} {asset.Version} from {checksumUrl} ({Reason(e)}).")); }
            var expected = ChecksumFile.Find(checksumText, asset.FileName)
                ?? throw new BuildFailure(ByHand($"{checksumUrl} lists no SHA-256 for {asset.FileName}."));

            try { await DownloadAsync(url, download, $"{asset.Tool} {asset.Version}", ct); }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                throw new BuildFailure(ByHand($"Could not download {asset.Tool} {asset.Version} from {url} ({Reason(e)}). Nothing was installed."));
            }

            var actual = await Sha256Async(download, ct);
            if (actual != expected)
                throw new BuildFailure(ByHand($"{asset.Tool} {asset.Version} from {url} failed its checksum: its SHA-256 is {actual}, but {checksumUrl} says {expected}. " +
                    "The download was deleted and nothing was installed; if it happens again, the mirror or a proxy is serving a different file."));

            await place(download, staged);
            console.MarkupLineInterpolated($"[green]✓[/] installed {asset.Tool} {asset.Version} (SHA-256 verified) into {destination}");
        }
        finally
        {
            if (File.Exists(download)) File.Delete(download);
            if (File.Exists(staged)) File.Delete(staged);
            if (Directory.Exists(staged)) Directory.Delete(staged, recursive: true);
        }
    }

    static string Reason(Exception e) => e switch
    {
        HttpRequestException { StatusCode: { } status } => $"HTTP {(int)status} {status}",
        TaskCanceledException => "timed out",
        _ => e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message,
    };

    async Task DownloadAsync(Uri url, string target, string label, CancellationToken ct)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        var length = response.Content.Headers.ContentLength;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Markup.Escape(label), maxValue: length ?? 1);
                if (length is null) task.IsIndeterminate = true;
                await using var source = await response.Content.ReadAsStreamAsync(ct);
                await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                var buffer = new byte[81920];
                long received = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, ct)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                    received += read;
                    if (length is not null) task.Value = received;
                }
                if (length is not null && received != length)
                    throw new IOException($"the connection closed after {received} of {length} bytes");
                task.Value = task.MaxValue;
            });
    }

    static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    /// <summary>Writes the one tarball entry named <paramref name="member"/> (leading "./" ignored) to <paramref name="target"/>.</summary>
    static async Task ExtractFileAsync(string archive, string member, string target, CancellationToken ct)
    {
        await foreach (var (entryName, entry) in EntriesAsync(archive, ct))
        {
            if (entryName != member || entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            await entry.ExtractToFileAsync(target, overwrite: false, ct);
            return;
        }
        throw new BuildFailure($"{Path.GetFileName(archive)}: the verified archive holds no '{member}'. Is the pin in tools.yaml a real release for this platform?");
    }

    /// <summary>Writes every regular file under <paramref name="folder"/>/ into <paramref name="target"/>, refusing paths that climb out.</summary>
    static async Task ExtractFolderAsync(string archive, string folder, string target, CancellationToken ct)
    {
        Directory.CreateDirectory(target);
        await foreach (var (entryName, entry) in EntriesAsync(archive, ct))
        {
            if (!entryName.StartsWith(folder + "/", StringComparison.Ordinal)) continue;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            var relative = entryName[(folder.Length + 1)..];
            if (relative.Split('/').Contains("..")) throw new BuildFailure($"{Path.GetFileName(archive)}: refusing the entry '{entryName}', which points outside the plugin folder.");
            var path = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await entry.ExtractToFileAsync(path, overwrite: true, ct);
        }
    }

    static async IAsyncEnumerable<(string Name, TarEntry Entry)> EntriesAsync(string archive, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var file = File.OpenRead(archive);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
            yield return (entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name, entry);
    }

    Task<ToolVersion?> ProbeAsync(string tool, string executable, string kubeContext, CancellationToken ct) =>
        versions is null ? AskVersionAsync(tool, executable, kubeContext, ct)
            : versions.GetOrProbeAsync(tool, executable, () => AskVersionAsync(tool, executable, kubeContext, ct));

    async Task<ToolVersion?> AskVersionAsync(string tool, string executable, string kubeContext, CancellationToken ct)
    {
        try
        {
            var result = await runner.RunAsync(VersionCommand(tool, executable, kubeContext), ct);
            return result.Succeeded && ToolVersion.TryParse(result.StandardOutput, out var version) ? version : null;
        }
        catch (ToolNotFoundException) { return null; }
    }

    static ToolVersion? HelmPluginVersion(string pluginDir)
    {
        var manifest = Path.Combine(pluginDir, "plugin.yaml");
        if (!File.Exists(manifest)) return null;
        var line = File.ReadLines(manifest).FirstOrDefault(l => l.StartsWith("version:", StringComparison.Ordinal));
        return ToolVersion.TryParse(line, out var version) ? version : null;
    }

    /// <summary>The first executable called <paramref name="name"/> on the PATH, skipping our own folder (the cache is checked on its own).</summary>
    public static string? FindOnPath(string name, string searchPath, string ownFolder)
    {
        var own = Path.GetFullPath(ownFolder).TrimEnd('/');
        return searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(dir => Path.IsPathRooted(dir) && Path.GetFullPath(dir).TrimEnd('/') != own)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(path => File.Exists(path) && (File.GetUnixFileMode(path) &
                (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
    }

    /// <summary>A run killed mid-download (power, kill -9) leaves its temporary files; they never count as installed, so sweep them.</summary>
    static void RemoveLeftovers(ToolchainRequest request)
    {
        foreach (var folder in new[] { request.ToolsDirectory, request.HelmPluginsDirectory }.Where(Directory.Exists))
        foreach (var leftover in Directory.EnumerateFileSystemEntries(folder, $".*{TempMarker}*"))
        {
            if (request.Plan) continue;
            if (Directory.Exists(leftover)) Directory.Delete(leftover, recursive: true); else File.Delete(leftover);
        }
    }
}
