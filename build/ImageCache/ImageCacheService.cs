using System.Globalization;
using System.Text.Json;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using Spectre.Console;

namespace DataPlatform.Build.ImageCache;

/// <summary>A mirror container as `docker ps --format '{{json .}}'` reports it.</summary>
internal sealed record MirrorContainer(string Name, string State, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> Networks)
{
    public bool Running => State == "running";
}

/// <summary>One change to the image cache, decided before anything runs.</summary>
internal abstract record MirrorStep(RegistryMirror Mirror)
{
    /// <summary>No container yet: create its volume (kept if it survived a purge-less recreate) and run it.</summary>
    public sealed record Create(RegistryMirror Mirror) : MirrorStep(Mirror);
    /// <summary>Configured differently than kind-config.yaml says: remove and run again; a new upstream also empties the cache.</summary>
    public sealed record Replace(RegistryMirror Mirror, string Reason, bool EmptyCache) : MirrorStep(Mirror);
    /// <summary>Right configuration, stopped (after a reboot with the daemon's restart policy off, say).</summary>
    public sealed record Start(RegistryMirror Mirror) : MirrorStep(Mirror);
}

/// <summary>
/// The image cache: one pull-through registry (Distribution's proxy mode) per upstream registry listed in
/// kind-config.yaml, running on the host's Docker with a named volume, so images survive Clean. Observe → decide → act:
/// <see cref="Decide"/> is pure, the rest only runs what it decided. Containers and volumes carry <see cref="Label"/>,
/// and Purge removes only what carries it and is named in kind-config.yaml.
/// </summary>
internal sealed class ImageCacheService(Docker docker, Kind kind, string clusterName, IReadOnlyList<RegistryMirror> mirrors, IAnsiConsole console)
{
    /// <summary>The image cache service over the context's Docker, kind and kind-config.yaml's mirrors.</summary>
    public static ImageCacheService Of(BuildContext context) =>
        new(context.Docker, context.Kind, context.KindConfig.Name, context.RegistryMirrors, context.Console);

    /// <summary>
    /// Distribution v3.0.0 (`registry:3.0.0`), pinned by the digest published for the tag. It could not be pulled where
    /// this was written: confirm it on a machine with internet with
    /// `docker buildx imagetools inspect registry:3.0.0` (the Digest line must match).
    /// </summary>
    public const string Image = "registry:3.0.0@sha256:6c5666b861f3505b116bb9aa9b25175e71210414bd010d92035ff64018f9457e";

    public const string Label = "data-platform.image-cache";
    public const string UpstreamLabel = "data-platform.image-cache.upstream";
    public const string ImageLabel = "data-platform.image-cache.image";
    public const string KindNetwork = "kind";
    const string StorePath = "/var/lib/registry";

    /// <summary>The mirror's whole configuration, as Distribution reads it from its environment.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentOf(RegistryMirror mirror) => new Dictionary<string, string>
    {
        ["REGISTRY_PROXY_REMOTEURL"] = mirror.Upstream.AbsoluteUri.TrimEnd('/'),
        ["REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY"] = StorePath,
    };

    public static IReadOnlyDictionary<string, string> LabelsOf(RegistryMirror mirror) => new Dictionary<string, string>
    {
        [Label] = mirror.Registry,
        [UpstreamLabel] = mirror.Upstream.AbsoluteUri.TrimEnd('/'),
        [ImageLabel] = Image,
    };

    public static IReadOnlyList<MirrorStep> Decide(IReadOnlyList<RegistryMirror> desired, IReadOnlyList<MirrorContainer> observed)
    {
        var steps = new List<MirrorStep>();
        foreach (var mirror in desired)
        {
            var found = observed.FirstOrDefault(c => c.Name == mirror.Container);
            if (found is null) { steps.Add(new MirrorStep.Create(mirror)); continue; }
            var upstream = found.Labels.GetValueOrDefault(UpstreamLabel);
            if (upstream != LabelsOf(mirror)[UpstreamLabel])
                steps.Add(new MirrorStep.Replace(mirror, $"its upstream is {upstream ?? "unknown"}, kind-config.yaml says {LabelsOf(mirror)[UpstreamLabel]}", EmptyCache: true));
            else if (found.Labels.GetValueOrDefault(ImageLabel) != Image)
                steps.Add(new MirrorStep.Replace(mirror, $"it runs {found.Labels.GetValueOrDefault(ImageLabel) ?? "another image"}, the build pins {Image}", EmptyCache: false));
            else if (!found.Running)
                steps.Add(new MirrorStep.Start(mirror));
        }
        return steps;
    }

    /// <summary>
    /// Before CreateCluster: every mirror exists, is configured as kind-config.yaml says, and runs. Returns the mirrors
    /// as observed when nothing had to change (ConnectImageCache then need not list them again), else null.
    /// </summary>
    public async Task<IReadOnlyList<MirrorContainer>?> EnsureRunningAsync(CancellationToken ct)
    {
        if (mirrors.Count == 0)
        {
            console.MarkupLine("Image cache: kind-config.yaml lists no `# mirror` lines, so there is nothing to run.");
            return null;
        }
        var observed = await ObserveAsync(ct);
        var conflicts = await NameConflictsAsync(observed, ct);
        if (conflicts.Count > 0)
            throw new BuildFailure($"Image cache: {string.Join(", ", conflicts)} already exist{(conflicts.Count == 1 ? "s" : "")} but {(conflicts.Count == 1 ? "is" : "are")} not the build's (no {Label} label). " +
                "Rename the mirror in kind-config.yaml's `# mirror` lines, or remove that container yourself (docker rm -f <name>), then run ./build.sh --target=Up again.");

        var steps = Decide(mirrors, observed);
        if (steps.Count == 0)
        {
            console.MarkupLineInterpolated($"Image cache: {mirrors.Count} mirrors running as kind-config.yaml says; nothing to change.");
            return observed;
        }
        // The kind network exists once a kind cluster was created on this machine; before that the mirrors start on the
        // default bridge and join `kind` after CreateCluster (creating `kind` ourselves would change how kind sets it up).
        var network = (await docker.NetworkSubnetsAsync(KindNetwork, ct)).Succeeded ? KindNetwork : "bridge";
        // Each mirror is its own container and volume: their changes run side by side (each announced as it starts).
        await Task.WhenAll(steps.Select(step => ApplyAsync(step, network, ct)));
        return null;
    }

    async Task ApplyAsync(MirrorStep step, string network, CancellationToken ct)
    {
        var m = step.Mirror;
        switch (step)
        {
            case MirrorStep.Create:
                console.MarkupLineInterpolated($"Image cache: starting the mirror of [bold]{m.Registry}[/] ({m.Container}, from {m.Upstream}).");
                await RunMirrorAsync(m, network, ct);
                break;
            case MirrorStep.Replace replace:
                console.MarkupLineInterpolated($"Image cache: recreating [bold]{m.Container}[/] because {replace.Reason}{(replace.EmptyCache ? "; its cached images are dropped" : "; its cached images are kept")}.");
                await docker.RunAsync(Docker.RemoveContainersCommand([m.Container]), ct);
                if (replace.EmptyCache) await docker.RunAsync(Docker.RemoveVolumesCommand([m.Volume]), ct);
                await RunMirrorAsync(m, network, ct);
                break;
            case MirrorStep.Start:
                console.MarkupLineInterpolated($"Image cache: [bold]{m.Container}[/] is stopped: starting it.");
                await docker.RunAsync(Docker.StartCommand(m.Container), ct);
                break;
        }
    }

    async Task RunMirrorAsync(RegistryMirror m, string network, CancellationToken ct)
    {
        // docker volume create is idempotent, and the label is what lets Purge tell the cache's volumes from the user's.
        await docker.RunAsync(Docker.CreateVolumeCommand(m.Volume, new Dictionary<string, string> { [Label] = m.Registry }), ct);
        await docker.RunAsync(Docker.RunDetachedCommand(m.Container, Image, network, m.Volume, StorePath, LabelsOf(m), EnvironmentOf(m)), ct);
    }

    /// <summary>
    /// After CreateCluster: every mirror is on the kind network, and every node's containerd has a hosts.toml sending
    /// the registry's pulls to it. One `docker exec … sha256sum` per node compares all of its files at once, and one
    /// more writes only the files that differ, so a second Up changes nothing. The mirrors and the nodes are
    /// independent, so their calls run side by side: a node's work no longer waits for the one before.
    /// </summary>
    /// <param name="running">The mirrors as StartImageCache observed them when it changed nothing; null to list them here.</param>
    /// <param name="nodes">The node containers CreateCluster read from the API in this run; null to ask kind.</param>
    public async Task ConfigureNodesAsync(IReadOnlyList<MirrorContainer>? running, IReadOnlyList<string>? nodes, CancellationToken ct)
    {
        if (mirrors.Count == 0) return;
        var unconnected = (running ?? await ObserveAsync(ct))
            .Where(container => mirrors.Any(m => m.Container == container.Name) && !container.Networks.Contains(KindNetwork));
        await Task.WhenAll(unconnected.Select(container => docker.RunAsync(Docker.ConnectNetworkCommand(KindNetwork, container.Name), ct)));

        if (nodes is not { Count: > 0 }) nodes = await kind.GetNodesAsync(clusterName, ct);
        var written = (await Task.WhenAll(nodes.Select(node => ConfigureNodeAsync(node, ct)))).Sum();
        if (written == 0)
            console.MarkupLineInterpolated($"Image cache: the {nodes.Count} nodes already pull {string.Join(", ", mirrors.Select(m => m.Registry))} through the mirrors.");
        else
            console.MarkupLineInterpolated($"Image cache: wrote {written} hosts.toml file{(written == 1 ? "" : "s")} so the nodes pull through the mirrors (containerd reads them without a restart).");
    }

    /// <summary>One node: its hosts.toml files compared in one exec, the ones that differ written in one more. Returns how many were written.</summary>
    async Task<int> ConfigureNodeAsync(string node, CancellationToken ct)
    {
        var checksums = await docker.RunAsync(Docker.ChecksumFilesCommand(node, mirrors.Select(m => m.HostsTomlPath).ToList()), ct);
        var current = ParseChecksums(checksums.StandardOutput);
        var stale = mirrors.Where(m => current.GetValueOrDefault(m.HostsTomlPath) != Sha256(m.HostsToml)).Select(m => (m.HostsTomlPath, m.HostsToml)).ToList();
        if (stale.Count > 0) await docker.RunAsync(Docker.WriteFilesCommand(node, stale), ct);
        return stale.Count;
    }

    /// <summary>sha256sum's lines, "&lt;64 hex&gt;  &lt;path&gt;" (two spaces; " *" in binary mode): path → hash. Anything else is skipped, so the file is written.</summary>
    public static IReadOnlyDictionary<string, string> ParseChecksums(string output)
    {
        var sums = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (line.Length > 66 && line[64] == ' ' && line[65] is ' ' or '*' && line[..64].All(char.IsAsciiHexDigitLower))
                sums[line[66..].TrimEnd('\r')] = line[..64];
        return sums;
    }

    static string Sha256(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Removes the mirrors kind-config.yaml names, and their volumes, when they carry the build's label; nothing else.</summary>
    public async Task PurgeAsync(CancellationToken ct)
    {
        var names = mirrors.Select(m => m.Container).ToHashSet();
        var containers = (await ObserveAsync(ct)).Where(c => names.Contains(c.Name)).Select(c => c.Name).ToList();
        var volumes = (await docker.RunAsync(Docker.ListVolumesCommand(Label), ct)).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(names.Contains).ToList();
        if (containers.Count == 0 && volumes.Count == 0)
        {
            console.MarkupLine("Image cache: no mirror containers or volumes to remove.");
            return;
        }
        if (containers.Count > 0) await docker.RunAsync(Docker.RemoveContainersCommand(containers), ct);
        if (volumes.Count > 0) await docker.RunAsync(Docker.RemoveVolumesCommand(volumes), ct);
        console.MarkupLineInterpolated($"Image cache: removed {containers.Count} mirror container{(containers.Count == 1 ? "" : "s")} and {volumes.Count} volume{(volumes.Count == 1 ? "" : "s")}; the next Up downloads every image again.");
    }

    /// <summary>
    /// Prints what Doctor's "image cache" row says (the mirrors and the space their volumes take), for a run without
    /// Doctor; a size that cannot be read, slow daemon included, is said and never stops the step.
    /// </summary>
    public async Task ReportSizeAsync(CancellationToken ct)
    {
        if (mirrors.Count == 0) return;
        var row = await ImageCacheCheck.MeasureAsync(mirrors, token => docker.RunAsync(Docker.DiskUsageCommand(), token), ct);
        console.MarkupLineInterpolated($"Image cache: {row.Detail}.");
    }

    /// <summary>The "Local Volumes space usage:" table of `docker system df -v`: VOLUME NAME, LINKS, SIZE.</summary>
    public static IReadOnlyDictionary<string, string> ParseVolumeSizes(string output)
    {
        var sizes = new Dictionary<string, string>();
        var inVolumes = false;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            // Each section opens with "<Kind> space usage:" (or "Build cache usage: <size>"); only the volumes' one counts.
            if (line.Contains("usage:", StringComparison.Ordinal) && !line.StartsWith("VOLUME NAME", StringComparison.Ordinal)) { inVolumes = line.StartsWith("Local Volumes", StringComparison.Ordinal); continue; }
            if (!inVolumes || line.Length == 0 || line.StartsWith("VOLUME NAME", StringComparison.Ordinal)) continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // Docker before go-units 0.3 printed "36 B", with a space: the number and its unit are then two fields.
            if (fields.Length >= 4 && fields[^1].All(char.IsLetter) && double.TryParse(fields[^2], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                sizes[fields[0]] = fields[^2] + fields[^1];
            else if (fields.Length >= 3) sizes[fields[0]] = fields[^1];
        }
        return sizes;
    }

    /// <summary>Docker's sizes are decimal (go-units HumanSize): 36B, 632.1kB, 2.1GB.</summary>
    public static double ParseSize(string size)
    {
        var unit = size.TrimStart("0123456789.".ToCharArray());
        var number = double.TryParse(size[..^unit.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return number * (unit.ToUpperInvariant() switch { "KB" => 1e3, "MB" => 1e6, "GB" => 1e9, "TB" => 1e12, _ => 1 });
    }

    /// <summary>Decimal units, as Docker prints them, so the figure matches `docker system df`.</summary>
    public static string FormatSize(double bytes) => bytes switch
    {
        >= 1e9 => $"{bytes / 1e9:0.#} GB",
        >= 1e6 => $"{bytes / 1e6:0.#} MB",
        >= 1e3 => $"{bytes / 1e3:0.#} kB",
        _ => $"{bytes:0} B",
    };

    async Task<IReadOnlyList<MirrorContainer>> ObserveAsync(CancellationToken ct) =>
        ParseContainers((await docker.RunAsync(Docker.ListContainersCommand(Label), ct)).StandardOutput, Docker.ListContainersCommand(Label).Display);

    /// <summary>Containers named like a mirror but without the label: someone else's, never touched. One inspect per name, side by side.</summary>
    async Task<IReadOnlyList<string>> NameConflictsAsync(IReadOnlyList<MirrorContainer> labelled, CancellationToken ct)
    {
        var unlabelled = mirrors.Where(m => labelled.All(c => c.Name != m.Container)).Select(m => m.Container).ToList();
        var inspected = await Task.WhenAll(unlabelled.Select(name =>
            docker.RunAsync(new ToolCommand("docker", ["container", "inspect", "--format", "{{.Name}}", name]) { AllowFailure = true }, ct)));
        return unlabelled.Where((_, i) => inspected[i].Succeeded).ToList();
    }

    /// <summary>docker ps's JSON lines: Names, State, Labels ("k=v,k=v") and Networks ("a,b") are strings.</summary>
    const string NotDockersJson = "check that `docker` is Docker's CLI 20.10 or later (or Podman's docker alias) and that nothing wraps it, then run the same target again.";

    public static IReadOnlyList<MirrorContainer> ParseContainers(string output, string command = "docker ps --format '{{json .}}'")
    {
        var containers = new List<MirrorContainer>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            JsonDocument json;
            try { json = JsonDocument.Parse(line); }
            catch (JsonException)
            {
                throw ToolOutput.NotUnderstood(command, line, "one JSON object per container",
                    NotDockersJson);
            }
            using var _ = json;
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                throw ToolOutput.NotUnderstood(command, line, "one JSON object per container",
                    NotDockersJson);
            string Field(string name) => json.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            var labels = Field("Labels").Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
            containers.Add(new MirrorContainer(Field("Names"), Field("State"), labels,
                Field("Networks").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }
        return containers;
    }
}
