using System.Runtime;

namespace DataPlatform.Build.Frosting;

/// <summary>
/// Multi-core JIT for a run of tasks: each run records the methods it had to JIT-compile (those ReadyToRun cannot
/// precompile, most of them async state machines over CoreLib's generic types), and the next run of the same target
/// compiles them on another core before the main thread reaches them. On two cores that takes about a third off a warm
/// Up's own time.
///
/// The recordings are dot-files beside the host (build.sh's stamp ignores dot-files), per target, since Clean and Up
/// run different code; only a known target gets one, so a typo leaves no file behind. The runtime plays and records
/// under one name and writes the recording when the process exits, so each run plays a fresh copy of a recording under
/// a name of its own (.jit-Up.&lt;pid&gt;-&lt;start&gt;.profile, unique even where every run is pid 1, as in a
/// container): runs at the same time, or copies of the clone that hard-link the host's directory, never write into one
/// file together, and the run never stops the recorder itself (the runtime does that at exit). A missing, stale or
/// unreadable recording costs only the gain: the runtime checks what it reads.
///
/// Which recording is played: a run that started a changing command (or planned one) or failed leaves a marker beside
/// its recording (.not-warm), and the next run plays the newest recording without one, else the newest. A warm run,
/// the common one and the one whose start is felt, then replays a warm run's path rather than the cold run before it,
/// which creates the cluster through other code (about 0.1 s of a warm Up here). Superseded recordings are removed.
/// </summary>
internal static class JitProfile
{
    public const string NotWarmSuffix = ".not-warm";

    /// <summary>A recording still this young may belong to a run that is still going: it is not removed yet.</summary>
    static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    /// <summary>This run's recording, once it records.</summary>
    static string? _recording;

    /// <summary>Plays the preferred recording of the target, if there is one, and records this run's; nothing when the host's directory cannot take it.</summary>
    public static void Start(string target)
    {
        var directory = AppContext.BaseDirectory;
        var own = Prepare(directory, target, $"{Environment.ProcessId}-{DateTime.UtcNow.Ticks}");
        if (own is null) return;
        ProfileOptimization.SetProfileRoot(directory);
        ProfileOptimization.StartProfile(Path.GetFileName(own));
        _recording = own;
        RemoveSuperseded(directory, target, own);
    }

    /// <summary>
    /// This run's recording file, holding a copy of the preferred recording (or absent when there is none yet), or null
    /// when the directory cannot take it.
    /// </summary>
    internal static string? Prepare(string directory, string target, string runId)
    {
        var own = Path.Combine(directory, $".jit-{target}.{runId}.profile");
        try
        {
            var played = Preferred(Recordings(directory, target, own), NotWarm);
            // New files, never the ones a hard link may share with another copy of the clone.
            File.Delete(own);
            File.Delete(own + NotWarmSuffix);
            if (played is not null)
            {
                File.Copy(played.FullName, own);
                // The copy keeps its source's time; its own is now, so no run takes it for an old one while this one runs.
                File.SetLastWriteTimeUtc(own, DateTime.UtcNow);
            }
            return own;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// Removes the recordings no run will play: all but the newest and the one a warm run would play, older than the
    /// grace; their markers with them, and markers whose recording is gone. Each file on its own: one that cannot be
    /// removed stays for the next run.
    /// </summary>
    internal static void RemoveSuperseded(string directory, string target, string own)
    {
        IReadOnlyList<FileInfo> recordings;
        try { recordings = Recordings(directory, target, own); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        var kept = new[] { recordings.FirstOrDefault()?.FullName, Preferred(recordings, NotWarm)?.FullName };
        foreach (var old in recordings.Where(f => !kept.Contains(f.FullName) && f.LastWriteTimeUtc < DateTime.UtcNow - Grace))
        {
            TryDelete(old.FullName);
            TryDelete(old.FullName + NotWarmSuffix);
        }
        foreach (var marker in Directory.EnumerateFiles(directory, $".jit-{target}.*.profile{NotWarmSuffix}"))
            if (marker != own + NotWarmSuffix && !File.Exists(marker[..^NotWarmSuffix.Length])) TryDelete(marker);
    }

    /// <summary>
    /// The recording to play, from the newest to the oldest: the newest of a run that changed nothing and succeeded,
    /// else the newest; null when there is none.
    /// </summary>
    internal static FileInfo? Preferred(IReadOnlyList<FileInfo> newestFirst, Func<FileInfo, bool> notWarm) =>
        newestFirst.FirstOrDefault(f => !notWarm(f)) ?? newestFirst.FirstOrDefault();

    /// <summary>This run changed something or failed: a warm run should not play its recording while a warm run's is there.</summary>
    public static void MarkNotWarm()
    {
        if (_recording is null) return;
        try { File.WriteAllText(_recording + NotWarmSuffix, ""); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    static IReadOnlyList<FileInfo> Recordings(string directory, string target, string own) =>
        new DirectoryInfo(directory).GetFiles($".jit-{target}.*.profile")
            .Where(f => f.FullName != own).OrderByDescending(f => f.LastWriteTimeUtc).ToList();

    static bool NotWarm(FileInfo recording) => File.Exists(recording.FullName + NotWarmSuffix);

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
