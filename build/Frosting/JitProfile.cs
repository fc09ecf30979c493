namespace DataPlatform.Build.Frosting;

/// <summary>
/// Multi-core JIT for a run of tasks: each run records the methods it had to JIT-compile (those ReadyToRun cannot
/// precompile, most of them async state machines over CoreLib's generic types), and the next run of the same target
/// compiles them on another core before the main thread reaches them. On two cores that takes about a third off a warm
/// Up's own time.
///
/// The profiles are dot-files beside the host (build.sh's stamp ignores dot-files), per target, since Clean and Up run
/// different code; only a known target gets one, so a typo leaves no file behind. The runtime plays and records under
/// one name and writes the recording when the process exits, so each run plays a fresh copy of the newest recording
/// under a name of its own (.jit-Up.&lt;pid&gt;.profile): runs at the same time, or copies of the clone that hard-link
/// the host's directory, never write into one file together, and the run never stops the recorder itself (the
/// runtime does that at exit). Older recordings of the target are removed. A missing, stale or unreadable profile costs
/// only the gain: the runtime checks what it reads.
/// </summary>
internal static class JitProfile
{
    /// <summary>Plays the target's newest recording, if there is one, and records this run's; nothing when the host's directory cannot take it.</summary>
    public static void Start(string target)
    {
        var directory = AppContext.BaseDirectory;
        var own = Path.Combine(directory, $".jit-{target}.{Environment.ProcessId}.profile");
        try
        {
            var recordings = new DirectoryInfo(directory).GetFiles($".jit-{target}.*.profile")
                .Where(f => f.FullName != own).OrderByDescending(f => f.LastWriteTimeUtc).ToList();
            // A new file, never the one a hard link may share with another copy of the clone.
            File.Delete(own);
            if (recordings.Count > 0) File.Copy(recordings[0].FullName, own);
            // The newest stays for the runs that start meanwhile; the rest are superseded (a minute of grace for a
            // run that is still writing its own).
            foreach (var old in recordings.Skip(1).Where(f => f.LastWriteTimeUtc < DateTime.UtcNow.AddMinutes(-1)))
                old.Delete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        System.Runtime.ProfileOptimization.SetProfileRoot(directory);
        System.Runtime.ProfileOptimization.StartProfile(Path.GetFileName(own));
    }
}
