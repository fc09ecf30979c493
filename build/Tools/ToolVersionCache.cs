using System.Text.Json;

// Unix file modes: the build runs on Linux and macOS only (HostPlatform refuses anything else first).
#pragma warning disable CA1416

namespace DataPlatform.Build.Tools;

/// <summary>
/// What each tool binary answered to its version command, kept in .tools/versions.json so a warm run starts no process
/// to ask again. An answer is keyed by the tool and the binary's resolved path (symlinks followed), and holds the
/// binary's size and modification time: a replaced or upgraded binary no longer matches and is asked afresh. Only
/// versions are kept, never a failed probe. A cache file that cannot be read or understood is ignored and rewritten;
/// writes go to a temporary file renamed over the old one, so a reader never sees half a file.
/// </summary>
internal sealed class ToolVersionCache(string file, bool readOnly = false)
{
    public const string FileName = "versions.json";

    internal sealed record Entry(long Size, long ModifiedTicks, string Version);

    /// <summary>The cached version of <paramref name="executable"/> if the binary is unchanged, otherwise <paramref name="probe"/>'s answer (then kept).</summary>
    public async Task<ToolVersion?> GetOrProbeAsync(string tool, string executable, Func<Task<ToolVersion?>> probe)
    {
        var binary = Describe(executable);
        if (binary is null) return await probe();
        var key = $"{tool} {binary.Value.Path}";
        var entries = Load();
        if (entries.TryGetValue(key, out var entry) && entry.Size == binary.Value.Size && entry.ModifiedTicks == binary.Value.ModifiedTicks
            && ToolVersion.TryParse(entry.Version, out var cached))
            return cached;
        var version = await probe();
        if (version is null || readOnly) return version;
        entries[key] = new Entry(binary.Value.Size, binary.Value.ModifiedTicks, version.ToString());
        Save(entries);
        return version;
    }

    /// <summary>The first executable file called <paramref name="name"/> on this process's PATH: the one a child started by that name runs.</summary>
    public static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(Path.IsPathRooted)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(path => File.Exists(path) && (File.GetUnixFileMode(path) &
                (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    /// <summary>The file a path finally points at, with its size and modification time; null when it is not a file.</summary>
    static (string Path, long Size, long ModifiedTicks)? Describe(string executable)
    {
        try
        {
            var info = new FileInfo(executable);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) info = target;
            return info.Exists ? (info.FullName, info.Length, info.LastWriteTimeUtc.Ticks) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    Dictionary<string, Entry> Load()
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(file), ToolJson.Default.DictionaryStringEntry) is { } entries
                ? entries.Where(e => e.Value?.Version is not null).ToDictionary(e => e.Key, e => e.Value)
                : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return [];
        }
    }

    void Save(Dictionary<string, Entry> entries)
    {
        var temporary = $"{file}.{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(temporary, JsonSerializer.Serialize(entries, ToolJson.Default.DictionaryStringEntry));
            File.Move(temporary, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a cache: the next run asks the tools again.
            try { File.Delete(temporary); } catch (Exception again) when (again is IOException or UnauthorizedAccessException) { }
        }
    }
}
