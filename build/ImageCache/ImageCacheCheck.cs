using DataPlatform.Build.Host;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;

namespace DataPlatform.Build.ImageCache;

/// <summary>
/// Doctor's "image cache" row: how many mirrors kind-config.yaml lists, how many exist, and the space their volumes
/// take, from `docker system df --verbose` (the daemon measures; no root, no du). Informational: only a size that
/// cannot be read is a warning, and nothing here stops Up.
/// </summary>
internal static class ImageCacheCheck
{
    public const string Name = "image cache";

    public static HostCheck Off() =>
        HostCheck.Ok(Name, $"off ({ImageCacheSetting.Variable}=off): the nodes pull straight from the registries");

    public static HostCheck NoMirrors() =>
        HostCheck.Ok(Name, "kind-config.yaml lists no `# mirror` lines: nothing is cached");

    /// <summary>
    /// Asks `docker system df --verbose` through <paramref name="diskUsage"/> and reports. The daemon sizes every volume
    /// and image, which can outlast the command's bound on a large Docker: that is a warning like any size that cannot be
    /// read, never a failure, since Doctor is Up's first step and this row is only a report.
    /// </summary>
    public static async Task<HostCheck> MeasureAsync(IReadOnlyList<RegistryMirror> mirrors, Func<CancellationToken, Task<ToolResult>> diskUsage, CancellationToken ct)
    {
        try { return Of(mirrors, await diskUsage(ct)); }
        catch (ToolNotFoundException) { return Of(mirrors, new ToolResult(127, "", "docker is not installed")); }
        catch (ToolTimeoutException e) { return Of(mirrors, new ToolResult(124, "", $"no answer within {ToolTimeoutException.Describe(e.Bound)}")); }
    }

    /// <param name="diskUsage">the answer of `docker system df --verbose`.</param>
    public static HostCheck Of(IReadOnlyList<RegistryMirror> mirrors, ToolResult diskUsage)
    {
        if (!diskUsage.Succeeded)
        {
            var why = diskUsage.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {diskUsage.ExitCode}";
            return HostCheck.Warning(Name, $"{mirrors.Count} mirrors in kind-config.yaml; their size could not be read (`docker system df --verbose`: {why})",
                "run `docker system df --verbose` to see why; the cache works without this report");
        }
        var sizes = ImageCacheService.ParseVolumeSizes(diskUsage.StandardOutput);
        var created = mirrors.Where(m => sizes.ContainsKey(m.Volume)).ToList();
        if (created.Count == 0)
            return HostCheck.Ok(Name, $"not created yet: Up starts {mirrors.Count} mirror{(mirrors.Count == 1 ? "" : "s")} ({string.Join(", ", mirrors.Select(m => m.Registry))}) from kind-config.yaml");
        var total = created.Sum(m => ImageCacheService.ParseSize(sizes[m.Volume]));
        var missing = mirrors.Count - created.Count;
        return HostCheck.Ok(Name,
            $"{created.Count} mirror{(created.Count == 1 ? "" : "s")}, {ImageCacheService.FormatSize(total)}" +
            (missing > 0 ? $" ({missing} of {mirrors.Count} not created yet: Up starts them)" : "") +
            $": {string.Join(", ", created.Select(m => $"{m.Registry} {sizes[m.Volume]}"))}; ./build.sh --target=Purge frees it");
    }
}
