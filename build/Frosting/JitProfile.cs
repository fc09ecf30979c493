using System.Runtime;

namespace DataPlatform.Build.Frosting;

/// <summary>
/// Multi-core JIT for a run of tasks: each run records the methods it had to JIT-compile (those ReadyToRun cannot
/// precompile, most of them async state machines over CoreLib's generic types), and the next run of the same target
/// compiles them on another core before the main thread reaches them. On two cores that takes about a third off a warm
/// Up's own time.
///
/// The profiles are dot-files beside the host (build.sh's stamp ignores dot-files), per target, since Clean and Up run
/// different code; only a known target gets one, so a typo leaves no file behind. The runtime plays and records under
/// one name and writes the recording when the process exits, so each run plays a fresh copy of a recording under a
/// name of its own (.jit-Up.&lt;pid&gt;.profile): runs at the same time, or copies of the clone that hard-link the
/// host's directory, never write into one file together, and the run never stops the recorder itself (the runtime does
/// that at exit). A missing, stale or unreadable profile costs only the gain: the runtime checks what it reads.
///
/// Which recording is played: a run that changed something or failed leaves a marker beside its recording
/// (.not-warm), and the next run plays the newest recording without one, else the newest. A warm run, the common one
/// and the one whose start is felt, then replays a warm run's path rather than the cold run before it, which creates
/// the cluster through other code (about 0.1 s of a warm Up here). Superseded recordings are removed.
/// </summary>
internal static class JitProfile
{
    const string NotWarmSuffix = ".not-warm";

    /// <summary>This run's recording, once it records.</summary>
    static string? _recording;

    /// <summary>Plays the preferred recording of the target, if there is one, and records this run's; nothing when the host's directory cannot take it.</summary>
    public static void Start(string target)
    {
        var directory = AppContext.BaseDirectory;
        var own = Path.Combine(directory, $".jit-{target}.{Environment.ProcessId}.profile");
        try
        {
            var recordings = new DirectoryInfo(directory).GetFiles($".jit-{target}.*.profile")
                .Where(f => f.FullName != own).OrderByDescending(f => f.LastWriteTimeUtc).ToList();
            var played = Preferred(recordings, f => File.Exists(f.FullName + NotWarmSuffix));
            // New files, never the ones a hard link may share with another copy of the clone.
            File.Delete(own);
            File.Delete(own + NotWarmSuffix);
            if (played is not null) File.Copy(played.FullName, own);
            // The newest and the played one stay for the runs that start meanwhile; the rest are superseded (a minute
            // of grace for a run that is still writing its own), their markers with them.
            foreach (var old in recordings.Skip(1).Where(f => f.FullName != played?.FullName && f.LastWriteTimeUtc < DateTime.UtcNow.AddMinutes(-1)))
            {
                old.Delete();
                File.Delete(old.FullName + NotWarmSuffix);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        ProfileOptimization.SetProfileRoot(directory);
        ProfileOptimization.StartProfile(Path.GetFileName(own));
        _recording = own;
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
}
