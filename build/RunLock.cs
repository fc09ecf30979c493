using System.Diagnostics;
using DataPlatform.Build.Frosting;
using Spectre.Console;

namespace DataPlatform.Build;

/// <summary>
/// One run at a time per clone, and per kind cluster: two ./build.sh at once would both `kind create` or
/// `helmfile apply` the same cluster, whether they run in one clone or in two that share the cluster's name. The lock is an exclusive
/// OS lock on a file (released by the kernel when the process dies, so a crash never leaves it stuck); a second run
/// waits for it, bounded and saying whom it waits for, or refuses when the wait is spent.
/// </summary>
internal sealed class RunLock : IDisposable
{
    readonly FileStream _lock;
    readonly string _ownerFile;

    RunLock(FileStream handle, string ownerFile) => (_lock, _ownerFile) = (handle, ownerFile);

    /// <summary>Beside the lock (which other processes cannot open while it is held): who holds it, for the waiting run's message.</summary>
    public static string OwnerFileOf(string lockFile) => lockFile + ".owner";

    /// <param name="holder">What this run is, for the message another run shows ("--target=Up in /home/me/data-platform").</param>
    /// <param name="scope">What the lock guards, as the waiting run's message says it ("in this clone", "on cluster data-platform").</param>
    /// <param name="poll">How often to try again while waiting.</param>
    /// <param name="ownerOf">Who owns a path (for the message when this user cannot write it); null when that cannot be told.</param>
    public static async Task<RunLock> AcquireAsync(string lockFile, TimeSpan wait, string holder, IAnsiConsole console, CancellationToken ct,
        TimeSpan? poll = null, string scope = "in this clone", Func<string, Task<string?>>? ownerOf = null)
    {
        var directory = Path.GetDirectoryName(lockFile)!;
        try { Directory.CreateDirectory(directory); }
        catch (UnauthorizedAccessException e)
        {
            var denied = ClosestExisting(directory);
            throw new BuildFailure(NotWritable(denied, Environment.UserName, ownerOf is null ? null : await ownerOf(denied)), e);
        }
        catch (IOException e)
        {
            throw new BuildFailure($"Cannot create {directory} for the run lock ({e.Message}). It must be writable by the user running ./build.sh.", e);
        }
        var ownerFile = OwnerFileOf(lockFile);
        var clock = Stopwatch.StartNew();
        var told = false;
        while (true)
        {
            FileStream? handle;
            try { handle = TryTake(lockFile); }
            catch (UnauthorizedAccessException e)
            {
                var denied = File.Exists(lockFile) || new FileInfo(lockFile).LinkTarget is not null ? lockFile : directory;
                throw new BuildFailure(NotWritable(denied, Environment.UserName, ownerOf is null ? null : await ownerOf(denied)), e);
            }
            if (handle is not null)
            {
                File.WriteAllText(ownerFile, $"pid {Environment.ProcessId} ({holder}, started {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC)");
                return new RunLock(handle, ownerFile);
            }
            var other = ReadOwner(ownerFile);
            if (clock.Elapsed >= wait)
                throw new BuildFailure($"Another ./build.sh is running {scope} ({other}; it holds {lockFile}), and waiting {wait.TotalSeconds:0} s did not see it finish. " +
                    "Let it finish and run your command again, or give it longer with --lock-wait=<seconds>. If that process is stuck, stop it (Ctrl+C in its terminal, or kill its pid).");
            if (!told)
            {
                console.MarkupLineInterpolated($"[yellow]Another ./build.sh is running {scope} ({other}; it holds {lockFile}). Waiting up to {wait.TotalSeconds:0} s for it to finish (Ctrl+C to stop).[/]");
                told = true;
            }
            await Task.Delay(poll ?? TimeSpan.FromSeconds(1), ct);
        }
    }

    static FileStream? TryTake(string lockFile)
    {
        if (Directory.Exists(lockFile))
            throw new BuildFailure($"The run lock {lockFile} is a directory, so no run can take it: remove that directory (nothing of the build's is in it), then run the same command again.");
        try
        {
            // FileShare.None is an exclusive flock(2) on Unix: held until this process closes it or dies.
            return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The run's files live in the clone, so a clone (or its .artifacts) this user cannot write stops every run. Said with
    /// the facts (who runs, what is denied, whose it is), not a guess at how it came to be.
    /// </summary>
    internal static string NotWritable(string path, string user, string? owner) =>
        $"You ({user}) cannot write {path}" + (owner is null ? "" : owner == user ? " (it is yours, but its permissions deny writing)" : $": it belongs to {owner}") +
        ". The build keeps its lock and compiled host in the clone's .artifacts folder, so the user who runs ./build.sh must be able to write there." +
        Environment.NewLine + (owner is not null && owner != user
            ? $"  fix: make it yours (sudo chown -R {user} {path}), or run ./build.sh as {owner}."
            : $"  fix: make it writable (chmod u+w {path}), then run the same command again.");

    static string ClosestExisting(string path)
    {
        var current = path;
        while (!Directory.Exists(current) && Path.GetDirectoryName(current) is { Length: > 0 } parent && parent != current) current = parent;
        return current;
    }

    static string ReadOwner(string ownerFile)
    {
        try { return File.ReadAllText(ownerFile).Trim() is { Length: > 0 } text ? text : "pid unknown"; }
        catch (IOException) { return "pid unknown"; }
    }

    public void Dispose()
    {
        try { File.Delete(_ownerFile); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _lock.Dispose();
    }
}
