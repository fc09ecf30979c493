using DataPlatform.Build.Platform;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.Unit;

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
}

/// <summary>Which problems in the platform's files stop which targets.</summary>
public class ValidationScopeTests
{
    static readonly ConfigProblem BrokenHelmfile = new("helmfile.yaml", 3, 5, "helmDefaults.kubeContext is 'kind-other'");
    static readonly ConfigProblem BrokenEnv = new(".env", 7, null, "line 7 is not KEY=value");
    static readonly ConfigProblem BrokenKindConfig = new("kind-config.yaml", null, null, "has no name");

    [Fact]
    public void Every_problem_is_listed_in_one_message_with_its_place()
    {
        var failure = Assert.Throws<BuildFailure>(() =>
            BuildLifetime.RequireValidConfiguration([BrokenHelmfile, BrokenEnv], ["EnsureTools", "CreateCluster", "Up"]));
        Assert.Contains("2 problems", failure.Message);
        Assert.Contains("helmfile.yaml:3:5: helmDefaults.kubeContext is 'kind-other'", failure.Message);
        Assert.Contains(".env:7: line 7 is not KEY=value", failure.Message);
    }

    [Fact]
    public void Clean_ignores_files_it_does_not_read() =>
        Assert.Empty(BuildLifetime.ProblemsFor([BrokenHelmfile, BrokenEnv], ["Clean"]));

    [Fact]
    public void Clean_still_stops_on_a_broken_kind_config() =>
        Assert.Equal([BrokenKindConfig], BuildLifetime.ProblemsFor([BrokenHelmfile, BrokenKindConfig], ["Clean"]));

    [Fact]
    public void EnsureTools_alone_reads_only_the_pins_and_the_cluster_name() =>
        Assert.Equal([BrokenKindConfig], BuildLifetime.ProblemsFor([BrokenHelmfile, BrokenEnv, BrokenKindConfig], ["EnsureTools"]));

    [Theory]
    [InlineData("Verify")]
    [InlineData("PrintHosts")]
    [InlineData("EnsureTools", "CreateCluster")]
    [InlineData("Clean", "Verify")]
    public void Other_targets_stop_on_every_problem(params string[] tasks) =>
        Assert.Equal([BrokenHelmfile, BrokenEnv], BuildLifetime.ProblemsFor([BrokenHelmfile, BrokenEnv], tasks));

    [Fact]
    public void The_validator_finds_a_context_that_disagrees_with_the_cluster_name()
    {
        var root = Directory.CreateTempSubdirectory("data-platform-validate-").FullName;
        try
        {
            EndToEnd.FixturePlatform.WriteTo(root);
            File.Copy(Path.Combine(Platform.RepoRoot.Path, "tools.yaml"), Path.Combine(root, "tools.yaml"));
            var helmfile = Path.Combine(root, "helmfile.yaml");
            File.WriteAllText(helmfile, File.ReadAllText(helmfile).Replace("kubeContext: kind-data-platform", "kubeContext: kind-other"));
            Assert.Contains(PlatformValidator.Validate(root, _ => null),
                problem => Path.GetFileName(problem.File) == "helmfile.yaml" && problem.Message.Contains("kind-other"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
