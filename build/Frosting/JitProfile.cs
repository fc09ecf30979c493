namespace DataPlatform.Build.Frosting;

/// <summary>
/// Multi-core JIT for a run of tasks: each run records the methods it had to JIT-compile (those ReadyToRun cannot
/// precompile, most of them async state machines over CoreLib's generic types), and the next run of the same target
/// compiles them on another core before the main thread reaches them. On two cores that takes about a third off a warm
/// Up's own time.
///
/// The profile is a dot-file beside the host (build.sh's stamp ignores dot-files), one per target, since Clean and Up
/// run different code; only a known target gets one, so a typo leaves no file behind. The runtime plays and records
/// under one name, so a run records into a copy of its own (.jit-Up.&lt;pid&gt;.tmp) and renames it over the profile when
/// it ends: runs at the same time, or copies of the clone that hard-link the host's directory, never write into one
/// file together. A missing, stale or unwritable profile costs only the gain; the runtime checks what it reads.
/// </summary>
internal sealed class JitProfile
{
    const string Prefix = ".jit-";

    readonly string _profile;
    readonly string _recording;

    JitProfile(string directory, string target)
    {
        _profile = Path.Combine(directory, $"{Prefix}{target}.profile");
        _recording = Path.Combine(directory, $"{Prefix}{target}.{Environment.ProcessId}.tmp");
    }

    /// <summary>Plays the target's profile, if there is one, and records this run's; null when the host's directory cannot take it.</summary>
    public static JitProfile? Start(string target)
    {
        var directory = AppContext.BaseDirectory;
        var profile = new JitProfile(directory, target);
        try
        {
            RemoveAbandonedRecordings(directory);
            if (File.Exists(profile._profile)) File.Copy(profile._profile, profile._recording, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        System.Runtime.ProfileOptimization.SetProfileRoot(directory);
        System.Runtime.ProfileOptimization.StartProfile(Path.GetFileName(profile._recording));
        return profile;
    }

    /// <summary>Ends the recording (the runtime writes it now) and puts it in place of the profile the next run plays.</summary>
    public void Save()
    {
        System.Runtime.ProfileOptimization.StartProfile(null);
        try
        {
            if (File.Exists(_recording)) File.Move(_recording, _profile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(_recording); } catch (Exception again) when (again is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>A run killed before it ended (SIGKILL, a crash) leaves its recording behind: an hour later it is nobody's.</summary>
    static void RemoveAbandonedRecordings(string directory)
    {
        foreach (var recording in Directory.EnumerateFiles(directory, $"{Prefix}*.tmp"))
            if (File.GetLastWriteTimeUtc(recording) < DateTime.UtcNow.AddHours(-1))
                File.Delete(recording);
    }
}
