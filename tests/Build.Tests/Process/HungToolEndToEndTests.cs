using System.Diagnostics;
using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tools;
using static DataPlatform.Build.Tests.EndToEnd.LocalProcesses;

namespace DataPlatform.Build.Tests.Process;

/// <summary>
/// The real ./build.sh against a docker stand-in that never answers `docker info` (the scenario file `hang`), as a
/// frozen Docker Desktop does. It lives with the other safety tests but runs in the end-to-end collection, whose
/// compiled build root it shares.
/// </summary>
public sealed class HungToolEndToEndTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>, IDisposable
{
    readonly Scenario _machine = new(build);

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task A_hung_docker_info_fails_at_its_bound_with_exit_code_1_and_a_message_naming_it()
    {
        _machine.SetState("hang", "docker info\n");
        var clock = Stopwatch.StartNew();

        var run = await _machine.RunBuildAsync("--target=EnsureTools");

        Assert.Equal(1, run.ExitCode);
        Assert.True(clock.Elapsed < Docker.InfoTimeout + TimeSpan.FromSeconds(60), $"took {clock.Elapsed}: {run}");
        Assert.Contains("did not finish within 30 s", run.Text);
        Assert.Contains("docker info", run.Text);
        Assert.Contains("Restart Docker Desktop", run.Text);
        Assert.Contains("waiting for docker info", run.Text);   // said once while it hung, so the build never looked dead
        Assert.DoesNotContain("Ctrl+C", run.Text);
        Assert.False(run.HasStackTrace, run.ToString());
    }

    [Fact]
    public async Task SIGTERM_stops_the_running_helmfile_and_everything_it_started_says_so_and_exits_143()
    {
        _machine.SetState("hang", "helmfile apply\n");
        var unique = Path.Combine(_machine.Home, $"sigterm-{Guid.NewGuid():N}.xml");

        var running = _machine.RunBuildAsync("--target=HelmfileApply", $"--report={unique}");
        await WaitUntilAsync(() => WhoseEnvironmentHolds(_machine.State).Any(p => CommandLine(p).Contains("standins/helmfile") && CommandLine(p).Contains(" apply ")), running,
            "the build never reached helmfile apply");
        var host = Assert.Single(WhoseCommandLineHolds(unique));
        Signal(host, SIGTERM);
        var run = await running;

        Assert.Equal(143, run.ExitCode);
        Assert.Contains("SIGTERM received", run.Text);
        Assert.Contains("Stopped (SIGTERM): `helmfile", run.Text);
        Assert.Contains("apply --suppress-secrets", run.Text);
        Assert.Contains("was interrupted, and everything it started was stopped", run.Text);
        Assert.False(run.HasStackTrace, run.ToString());
        // Nothing of the run outlives it: no stand-in (nor anything else started with this machine's state) is left.
        Assert.Empty(WhoseEnvironmentHolds(_machine.State));
    }

    [Fact]
    public async Task A_tool_the_kernel_kills_is_named_as_killed_with_the_memory_Doctor_measured()
    {
        _machine.SetState("hang", "kind create\n");

        var running = _machine.RunBuildAsync("--target=CreateCluster");
        await WaitUntilAsync(() => StandIns("kind", " create ").Any(), running, "the build never reached kind create cluster");
        // What the OOM killer does: SIGKILL to the tool, nothing to the build.
        Signal(Assert.Single(StandIns("kind", " create ")), SIGKILL);
        var run = await running;

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("kind was killed (SIGKILL, exit code 137): out of memory?", run.Text);
        Assert.Contains("command: kind create cluster --name data-platform", run.Text);
        Assert.Matches(@"memory: \S+ \S+ in ", run.Text);   // Doctor's own measurement, from this run
        Assert.Contains("dmesg", run.Text);
        Assert.False(run.HasStackTrace, run.ToString());
    }

    IEnumerable<int> StandIns(string tool, string words) => WhoseEnvironmentHolds(_machine.State)
        .Where(p => CommandLine(p).Contains($"standins/{tool}") && CommandLine(p).Contains(words)).ToList();
}
