namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The processes of a running ./build.sh, seen through /proc (Linux), and signals sent to them as a terminal, a CI
/// runner or the kernel would: Ctrl+C's SIGINT, a cancelled job's SIGTERM, the OOM killer's SIGKILL.
/// </summary>
static class LocalProcesses
{
    public const int SIGKILL = 9;
    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    public static void Signal(int pid, int signal) => Assert.True(kill(pid, signal) == 0, $"kill -{signal} {pid} failed");

    static IEnumerable<int> All() => Directory.EnumerateDirectories("/proc").Select(Path.GetFileName)
        .Where(name => name!.All(char.IsDigit)).Select(name => int.Parse(name!)).Where(pid => pid != Environment.ProcessId);

    static string Read(int pid, string file)
    {
        try { return File.ReadAllText($"/proc/{pid}/{file}"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    /// <summary>Whether a process ignores a signal: its SigIgn mask in /proc/PID/status, bit signal-1.</summary>
    public static bool Ignores(int pid, int signal) =>
        Read(pid, "status").Split('\n').FirstOrDefault(l => l.StartsWith("SigIgn:")) is { } line
        && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (signal - 1))) != 0;

    public static string CommandLine(int pid) => Read(pid, "cmdline").Replace('\0', ' ');

    /// <summary>build.sh execs the host, so a run is found by a unique argument of its command line (a report path, say).</summary>
    public static IReadOnlyList<int> WhoseCommandLineHolds(string text) => All().Where(pid => CommandLine(pid).Contains(text)).ToList();

    /// <summary>Every process started for one scenario: they all carry its private state directory in their environment.</summary>
    public static IReadOnlyList<int> WhoseEnvironmentHolds(string text) => All().Where(pid => Read(pid, "environ").Contains(text)).ToList();

    /// <summary>Polls a condition, bounded by attempts; fails early with the run's output if the run ends first.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, Task<BuildRun> running, string what)
    {
        for (var attempt = 0; attempt < 600 && !condition(); attempt++)
        {
            if (running.IsCompleted) Assert.Fail($"{what}:\n{await running}");
            await Task.Delay(100);
        }
        Assert.True(condition(), what);
    }
}
