using System.Runtime.InteropServices;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Validation;
using Spectre.Console;

namespace DataPlatform.Build;

/// <summary>
/// Everything process-wide, in one place, around a run that executes tasks: Ctrl+C handling, the validation of the
/// platform files before the first change, the one-run-per-clone and per-cluster locks, and the PATH/HELM_PLUGINS every child sees.
/// </summary>
internal sealed class BuildLifetime(IAnsiConsole console) : IFrostingLifetime<BuildContext>, IDisposable
{
    /// <summary>
    /// Tasks that read only some of the platform's files. Clean reads only the cluster's name: it must still remove the
    /// cluster when helmfile.yaml or .env is broken. EnsureTools reads the pins and the context name. Any other task
    /// needs every file.
    /// </summary>
    static readonly IReadOnlyDictionary<string, string[]> FilesOnlyNeededBy = new Dictionary<string, string[]>
    {
        ["Clean"] = ["kind-config.yaml"],
        ["Purge"] = ["kind-config.yaml"],
        ["EnsureTools"] = ["kind-config.yaml", "tools.yaml"],
    };

    readonly CancellationTokenSource _stop = new();
    ConsoleCancelEventHandler? _onCtrlC;
    PosixSignalRegistration[] _onTerminate = [];
    RunLock? _lock;
    RunLock? _clusterLock;

    /// <summary>Cancelled by the first Ctrl+C, SIGTERM or SIGHUP: the running tool is asked to stop and the build unwinds.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>What stopped the run early, as a person names it ("Ctrl+C", "SIGTERM"), or null while nothing has.</summary>
    public string? StoppedBy { get; private set; }

    /// <summary>
    /// The exit code of a run stopped by SIGTERM (143) or SIGHUP (129): 128 plus the signal's number, as a shell reports a
    /// process the signal ended, so a CI runner that cancelled the job sees it was the cancellation. Ctrl+C keeps 1.
    /// </summary>
    public int? SignalExitCode { get; private set; }

    /// <summary>The run's exit code, once it unwound: a failed run that a signal stopped reports that signal.</summary>
    public int ExitCodeOf(int runExitCode) => runExitCode != 0 && SignalExitCode is { } signalled ? signalled : runExitCode;

    public static string LockFileOf(string root) => Path.Combine(root, ".artifacts", "run.lock");

    /// <summary>
    /// The lock of the kind cluster itself, in the user's cache (XDG_CACHE_HOME, else ~/.cache): a second clone, or a
    /// copy of this one, with the same cluster name drives the same cluster.
    /// </summary>
    public static string ClusterLockFileOf(string cluster, Func<string, string?> environment) =>
        Path.Combine(environment("XDG_CACHE_HOME") is { Length: > 0 } cache && Path.IsPathRooted(cache)
                ? cache
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
            "data-platform-build", $"{cluster}.lock");

    public async Task SetupAsync(BuildContext context, IReadOnlyList<string> tasks)
    {
        _onCtrlC = (_, e) =>
        {
            // First Ctrl+C: ask the running tool to stop (SIGINT) and unwind; a second one kills the build as usual.
            if (_stop.IsCancellationRequested) return;
            e.Cancel = true;
            StoppedBy ??= "Ctrl+C";
            // Cancel first, as for SIGTERM: the stop must not wait on the console (a live progress line holds it while it redraws).
            _stop.Cancel();
            console.MarkupLine("[yellow]Stopping: waiting for the running command to exit (Ctrl+C again to kill).[/]");
        };
        Console.CancelKeyPress += _onCtrlC;
        // A cancelled CI job, a closed terminal and `timeout` send SIGTERM or SIGHUP, whose default is to end the host at
        // once and leave the running helmfile or kind behind. They stop the run as Ctrl+C does; a second one ends it.
        _onTerminate =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => OnTerminate(signal, "SIGTERM", 15)),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal => OnTerminate(signal, "SIGHUP", 1)),
        ];

        RequireValidConfiguration(PlatformValidator.Validate(context.Root, context.EnvironmentVariable), tasks);
        context.HelmfileApplyFollows = tasks.Contains("HelmfileApply");
        context.PurgeFollows = tasks.Contains("Purge");
        // PLATFORM_CONTEXT's refusals (a context not there, another clone's kind cluster, an API that does not answer,
        // the demo credentials) before the locks and before any step.
        await ExistingCluster.TargetClusterGuard.CheckAsync(context, tasks);

        var holder = $"--target={tasks[^1]} in {context.Root}";
        _lock = await RunLock.AcquireAsync(LockFileOf(context.Root), context.Options.LockWait, holder, console, context.Cancellation,
            ownerOf: path => OwnerOfAsync(context.Runner, path, context.Cancellation));
        // Always after the clone's lock, so two runs never hold one each while waiting for the other's.
        var clusterName = context.Target.IsExisting ? context.Target.LockName : context.KindConfig.Name;
        var clusterLock = ClusterLockFileOf(clusterName, context.EnvironmentVariable);
        if (CanHold(clusterLock))
            _clusterLock = await RunLock.AcquireAsync(clusterLock, context.Options.LockWait, holder, console, context.Cancellation,
                scope: $"on cluster {(context.Target.IsExisting ? context.Target.Context : clusterName)} (from another clone, or another copy of this one)");
        else
            // A read-only HOME (a CI user without one, say) must not stop a build that needs nothing else there.
            console.MarkupLineInterpolated($"[yellow]Cannot create {Path.GetDirectoryName(clusterLock)} for the cluster's lock: runs from other clones of this cluster are not waited for. Set XDG_CACHE_HOME to a writable directory to have them waited for.[/]");

        // Children find the tools EnsureTools installed before anything else on PATH, and helm loads the pinned helm-diff.
        Environment.SetEnvironmentVariable("PATH", context.ToolsDirectory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"));
        Environment.SetEnvironmentVariable("HELM_PLUGINS", context.HelmPluginsDirectory);
    }

    /// <summary>Who owns a path, from `stat` (GNU -c %U, BSD and macOS -f %Su): .NET reads a file's mode but not its owner.</summary>
    internal static async Task<string?> OwnerOfAsync(IToolRunner runner, string path, CancellationToken ct)
    {
        foreach (var format in new[] { new[] { "-c", "%U" }, ["-f", "%Su"] })
        {
            try
            {
                var result = await runner.RunAsync(new ToolCommand("stat", [.. format, path]) { AllowFailure = true, Timeout = TimeSpan.FromSeconds(10) }, ct);
                if (result.ExitCode == 0 && result.StandardOutput.Trim() is { Length: > 0 } owner) return owner;
            }
            catch (Exception e) when (e is ToolNotFoundException or ToolTimeoutException) { return null; }
        }
        return null;
    }

    void OnTerminate(PosixSignalContext signal, string name, int number)
    {
        // Every one is handled: a second signal (CI runners send SIGINT then SIGTERM) ending the host at once would leave
        // the running tool orphaned. The runner stops the tool's whole tree, and kills it after its grace period (10 s).
        signal.Cancel = true;
        if (_stop.IsCancellationRequested) return;
        StoppedBy = name;
        SignalExitCode = 128 + number;
        // Cancel first: after SIGHUP the terminal may be gone, and a failed write must not keep the run from stopping.
        _stop.Cancel();
        try { console.MarkupLine($"[yellow]Stopping: {name} received (a cancelled CI job, a closed terminal or `timeout` sends it): stopping the running command and everything it started.[/]"); }
        catch (IOException) { }
    }

    static bool CanHold(string lockFile)
    {
        try { Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    public void Teardown(BuildContext context)
    {
        _clusterLock?.Dispose();
        _clusterLock = null;
        _lock?.Dispose();
        _lock = null;
        if (_onCtrlC is not null) Console.CancelKeyPress -= _onCtrlC;
        _onCtrlC = null;
        foreach (var registration in _onTerminate) registration.Dispose();
        _onTerminate = [];
    }

    /// <summary>Fails with one message listing every problem that matters to these tasks; nothing has run yet.</summary>
    public static void RequireValidConfiguration(IReadOnlyList<ConfigProblem> problems, IReadOnlyList<string> tasks)
    {
        var relevant = ProblemsFor(problems, tasks);
        if (relevant.Count == 0) return;
        throw new BuildFailure(
            $"The platform's files have {relevant.Count} problem{(relevant.Count == 1 ? "" : "s")}, found before changing anything:{Environment.NewLine}" +
            string.Join(Environment.NewLine, relevant.Select(p => $"  {p}")) + Environment.NewLine +
            "Fix them and run the same command again." + Environment.NewLine + PlatformValidator.NotCheckedOffline);
    }

    /// <summary>
    /// The problems these tasks would hit: all of them, unless every task needs only some files (Clean reads only
    /// kind-config.yaml, so a broken helmfile.yaml or .env must not keep it from removing the cluster).
    /// </summary>
    public static IReadOnlyList<ConfigProblem> ProblemsFor(IReadOnlyList<ConfigProblem> problems, IReadOnlyList<string> tasks)
    {
        if (!tasks.All(FilesOnlyNeededBy.ContainsKey)) return problems;
        var needed = tasks.SelectMany(t => FilesOnlyNeededBy[t]).ToHashSet();
        return problems.Where(p => needed.Contains(Path.GetFileName(p.File))).ToList();
    }

    public void Dispose() => _stop.Dispose();
}
