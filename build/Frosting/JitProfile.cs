namespace DataPlatform.Build.Frosting;

/// <summary>
/// Multi-core JIT for a run of tasks: each run records the methods it had to JIT-compile (those ReadyToRun cannot
/// precompile, most of them async state machines over CoreLib's generic types), and the next run of the same target
/// compiles them on another core before the main thread reaches them. On two cores that takes about 0.4 s off a warm Up.
/// The profile is a dot-file beside the host (build.sh's stamp ignores dot-files), one per target, since Clean and Up
/// run different code; only a known target gets one, so a typo leaves no file behind. A missing, stale or unwritable
/// profile costs only the gain: the runtime checks it, and falls back to JIT-compiling on the main thread.
/// </summary>
internal static class JitProfile
{
    public static void Start(string target)
    {
        System.Runtime.ProfileOptimization.SetProfileRoot(AppContext.BaseDirectory);
        System.Runtime.ProfileOptimization.StartProfile($".jit-{target}.profile");
    }
}
