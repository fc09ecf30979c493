using DataPlatform.Build.Frosting;
using DataPlatform.Build.Tests.Process;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.BuildHost;

/// <summary>One run per clone: the second run waits, bounded, naming the lock file and the holder's pid.</summary>
public sealed class RunLockTests : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("data-platform-lock-").FullName;
    string LockFile => Path.Combine(_directory, ".artifacts", "run.lock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_second_run_gives_up_after_its_wait_naming_the_lock_file_and_the_first_runs_pid()
    {
        using var first = await RunLock.AcquireAsync(LockFile, TimeSpan.Zero, "--target=Up", new TestConsole(), default);

        var console = new TestConsole();
        var failure = await Assert.ThrowsAsync<BuildFailure>(() =>
            RunLock.AcquireAsync(LockFile, TimeSpan.FromMilliseconds(200), "--target=Clean", console, default, poll: TimeSpan.FromMilliseconds(20)));

        Assert.Contains($"pid {Environment.ProcessId} (--target=Up", failure.Message);
        Assert.Contains(LockFile, failure.Message);
        Assert.Contains("--lock-wait", failure.Message);
        Assert.Contains("Waiting up to 0 s", console.Output.Replace("\n", ""));
    }

    [Fact]
    public async Task A_second_run_starts_as_soon_as_the_first_finishes()
    {
        var first = await RunLock.AcquireAsync(LockFile, TimeSpan.Zero, "--target=Up", new TestConsole(), default);
        var console = new TestConsole();
        var second = RunLock.AcquireAsync(LockFile, TimeSpan.FromSeconds(30), "--target=Verify", console, default, poll: TimeSpan.FromMilliseconds(20));
        await Task.Delay(200);
        Assert.False(second.IsCompleted);

        first.Dispose();

        using var taken = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("Another ./build.sh is running in this clone", console.Output.Replace("\n", ""));
        Assert.Contains("--target=Verify", File.ReadAllText(RunLock.OwnerFileOf(LockFile)));
    }

    [Fact]
    public async Task Releasing_the_lock_removes_the_owner_note()
    {
        var held = await RunLock.AcquireAsync(LockFile, TimeSpan.Zero, "--target=Up", new TestConsole(), default);
        Assert.True(File.Exists(RunLock.OwnerFileOf(LockFile)));
        held.Dispose();
        Assert.False(File.Exists(RunLock.OwnerFileOf(LockFile)));
        using var again = await RunLock.AcquireAsync(LockFile, TimeSpan.Zero, "--target=Up", new TestConsole(), default);
    }

    [Fact]
    public async Task Ctrl_C_stops_the_wait()
    {
        using var first = await RunLock.AcquireAsync(LockFile, TimeSpan.Zero, "--target=Up", new TestConsole(), default);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            RunLock.AcquireAsync(LockFile, TimeSpan.FromMinutes(5), "--target=Clean", new TestConsole(), stop.Token, poll: TimeSpan.FromMilliseconds(20)));
    }

    [Fact]
    public async Task A_lock_path_that_is_a_directory_is_named_as_one_not_blamed_on_sudo()
    {
        Directory.CreateDirectory(LockFile);

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => RunLock.AcquireAsync(LockFile, TimeSpan.Zero, "--target=Up", new TestConsole(), default));

        Assert.Contains($"{LockFile} is a directory", failure.Message);
        Assert.DoesNotContain("sudo", failure.Message);
    }

    [Fact]
    public async Task A_clone_this_user_cannot_write_is_named_with_the_user_the_path_and_its_owner_instead_of_a_guess()
    {
        // The tests run as root, whom file permissions do not stop; /sys refuses even root a new directory (EPERM), which
        // .NET reports as it reports a permission denied. The owner comes from the injected lookup, as `stat` would answer it.
        var asked = new List<string>();
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => RunLock.AcquireAsync("/sys/data-platform-clone/.artifacts/run.lock", TimeSpan.Zero,
            "--target=Up", new TestConsole(), default, ownerOf: path => { asked.Add(path); return Task.FromResult<string?>("alice"); }));

        Assert.Equal(["/sys"], asked);
        Assert.Contains($"You ({Environment.UserName}) cannot write /sys: it belongs to alice", failure.Message);
        Assert.Contains($"sudo chown -R {Environment.UserName} /sys", failure.Message);
        Assert.Contains("or run ./build.sh as alice", failure.Message);
        Assert.DoesNotContain("Was an earlier run", failure.Message);
    }

    [Theory]
    [InlineData("bob", "bob", "it is yours, but its permissions deny writing", "chmod u+w /clone/.artifacts")]
    [InlineData("bob", null, "You (bob) cannot write /clone/.artifacts.", "chmod u+w /clone/.artifacts")]
    [InlineData("bob", "root", "it belongs to root", "sudo chown -R bob /clone/.artifacts")]
    public void The_not_writable_message_says_whose_the_path_is_and_the_fix_that_fits(string user, string? owner, string says, string fix)
    {
        var message = RunLock.NotWritable("/clone/.artifacts", user, owner);

        Assert.Contains(says, message);
        Assert.Contains(fix, message);
    }

    [Fact]
    public async Task The_owner_is_read_with_GNU_stat_then_BSD_stat()
    {
        var runner = new RecordingRunner().Answer(1, "", "stat: illegal option -- c").Answer(0, "alice\n");

        Assert.Equal("alice", await BuildLifetime.OwnerOfAsync(runner, "/clone/.artifacts", default));
        Assert.Equal([["stat", "-c", "%U", "/clone/.artifacts"], ["stat", "-f", "%Su", "/clone/.artifacts"]],
            runner.Commands.Select(c => c.Arguments.Prepend(c.Program).ToArray()));
        Assert.DoesNotContain(runner.Commands, c => c.Mutating);
    }
}
