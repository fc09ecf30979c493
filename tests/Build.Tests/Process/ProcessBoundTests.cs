using System.Diagnostics;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Process;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.Process;

/// <summary>
/// Every command is bounded, and a stopped command leaves no process behind. These run real children: the docker
/// stand-in (tests/standins, told by STANDIN_HANG never to answer, as a frozen Docker Desktop does) and tiny bash
/// scripts; what is tested is the runner's own behaviour, so no real tool is needed.
/// </summary>
public sealed class ProcessBoundTests
{
    static readonly string Standins = Platform.RepoRoot.File("tests", "standins");

    static CliToolRunner Runner(TestConsole console, SecretMask? mask = null) =>
        new(console, mask ?? SecretMask.None, echoQueries: false) { GracePeriod = TimeSpan.FromSeconds(2), SlowNotice = TimeSpan.FromMilliseconds(300) };

    [Fact]
    public async Task A_hung_query_is_stopped_at_its_bound_with_a_message_naming_the_command_the_bound_and_what_to_check()
    {
        var console = new TestConsole().Width(1000);
        var command = StandinDocker(["info", "--format", "{{.ServerVersion}}"], hang: "docker info") with { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ToolTimeoutException>(() => Runner(console).RunAsync(command));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.StartsWith($"{command.Display} did not finish within 2 s", error.Message);
        Assert.Contains("Restart Docker", error.Message);
        // Shown like every expected failure: the message alone, never as Ctrl+C.
        Assert.Equal(error.Message, Failures.Describe(error));
        Assert.DoesNotContain("Ctrl+C", Failures.Describe(error));
        Assert.IsAssignableFrom<BuildFailure>(error);
        // A query is not echoed, so the runner says once that it is still waiting.
        Assert.Equal(1, Count(console.Output, $"waiting for {command.Display}"));
    }

    [Fact]
    public async Task A_hung_tool_deaf_to_SIGINT_and_SIGTERM_is_killed_after_the_grace_period()
    {
        var marker = UniqueSleep();
        var command = StandinDocker(["info", "--format", marker], hang: "docker info", deaf: true) with { Timeout = TimeSpan.FromSeconds(1) };
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<ToolTimeoutException>(() => Runner(new TestConsole()).RunAsync(command));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Empty(await SurvivorsAsync(marker));
    }

    [Fact]
    public async Task A_wrappers_hint_replaces_the_programs_default_one()
    {
        var command = new ToolCommand("sleep", ["30"]) { Timeout = TimeSpan.FromMilliseconds(500), WhenHung = "Check the nodes." };

        var error = await Assert.ThrowsAsync<ToolTimeoutException>(() => Runner(new TestConsole()).RunAsync(command));

        Assert.Equal("sleep 30 did not finish within 500 ms and was stopped. Check the nodes.", error.Message);
    }

    [Fact]
    public async Task On_timeout_a_grandchild_that_ignores_SIGINT_and_SIGTERM_does_not_survive()
    {
        var marker = UniqueSleep();
        // The child waits in the foreground; its grandchild ignores both signals (an ignored signal stays ignored across exec).
        var command = new ToolCommand("bash", ["-c", $"(trap '' INT TERM; exec sleep {marker}) & sleep 600"]) { Timeout = TimeSpan.FromSeconds(1) };

        await Assert.ThrowsAsync<ToolTimeoutException>(() => Runner(new TestConsole()).RunAsync(command));

        Assert.Empty(await SurvivorsAsync(marker));
    }

    [Fact]
    public async Task On_Ctrl_C_the_child_stops_gracefully_and_its_orphaned_grandchild_is_killed_too()
    {
        var marker = UniqueSleep();
        var command = new ToolCommand("bash", ["-c", $"(trap '' INT TERM; exec sleep {marker}) & sleep 600"]) { Timeout = TimeSpan.FromMinutes(5) };
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Runner(new TestConsole()).RunAsync(command, ctrlC.Token));

        Assert.IsNotType<ToolTimeoutException>(error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Empty(await SurvivorsAsync(marker));
    }

    [Fact]
    public async Task A_query_that_answers_in_time_is_neither_announced_nor_stopped()
    {
        var console = new TestConsole();
        var result = await Runner(console).RunAsync(new ToolCommand("sh", ["-c", "echo ok"]) { Timeout = TimeSpan.FromSeconds(30) });

        Assert.Equal("ok\n", result.StandardOutput);
        Assert.DoesNotContain("waiting for", console.Output);
    }

    [Fact]
    public void Every_wrapper_bounds_its_long_steps_beyond_what_the_tool_itself_waits()
    {
        var kubectl = new Build.Tools.Kubectl(new RecordingRunner(), "kind-x");
        var wait = kubectl.WaitForNodesReadyCommand(TimeSpan.FromMinutes(5));
        var spec = new DataPlatform.Build.Platform.HelmfileSpec("/repo/helmfile.yaml", "kind-x", [new DataPlatform.Build.Platform.Release("a", "ns", [])]);
        var helmfile = new Build.Tools.Helmfile(new RecordingRunner(), "kind-x", spec);
        var helm = new Build.Tools.Helm(new RecordingRunner(), "kind-x");
        Assert.True(wait.Bound > TimeSpan.FromMinutes(5), "kubectl wait must be allowed to report its own --timeout first");
        Assert.All(new[]
        {
            Build.Tools.Kind.CreateClusterCommand("/repo/kind-config.yaml", "data-platform"), Build.Tools.Kind.DeleteClusterCommand("x"), wait,
            kubectl.ServerSideApplyCommand("crds.yaml"),
            helmfile.ApplyCommand(new Dictionary<string, string>()),
            helmfile.SyncCommand(new Dictionary<string, string>(), spec.Releases),
            helm.UninstallCommand("a", "ns", spec.HelmTimeout), helm.RollbackCommand("a", "ns", 1, spec.HelmTimeout),
        }, command =>
        {
            Assert.NotNull(command.Timeout);
            Assert.NotNull(command.WhenHung);
        });
        Assert.Equal(ToolCommand.DefaultQueryTimeout, Build.Tools.Kind.GetClustersCommand().Bound);
    }

    [Theory]
    [InlineData(30, "30 s")]
    [InlineData(90, "90 s")]
    [InlineData(300, "5 min")]
    [InlineData(330, "5 min 30 s")]
    public void Bounds_read_as_people_say_them(int seconds, string expected) =>
        Assert.Equal(expected, ToolTimeoutException.Describe(TimeSpan.FromSeconds(seconds)));

    ToolCommand StandinDocker(string[] arguments, string hang, bool deaf = false)
    {
        var state = Directory.CreateTempSubdirectory("standin-state-").FullName;
        var environment = new Dictionary<string, string> { ["STANDIN_STATE"] = state, ["STANDIN_HANG"] = hang };
        if (deaf) environment["STANDIN_HANG_DEAF"] = "1";
        return new ToolCommand(Path.Combine(Standins, "docker"), arguments) { Environment = environment };
    }

    /// <summary>A sleep whose argument is unique to this test, so its process can be found by its argv.</summary>
    static string UniqueSleep() => $"{Random.Shared.Next(100_000, 999_999)}.{Random.Shared.Next(100, 999)}";

    /// <summary>Processes whose argv holds every marker, waited for up to 5 s (a killed process takes a moment to go).</summary>
    static async Task<IReadOnlyList<string>> SurvivorsAsync(params string[] markers)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var found = new List<string>();
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), out _)) continue;
                try
                {
                    var argv = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                    if (markers.All(argv.Contains)) found.Add(argv);
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            if (found.Count == 0 || DateTime.UtcNow > deadline) return found;
            await Task.Delay(100);
        }
    }

    static int Count(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;

}
