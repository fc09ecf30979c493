using System.Diagnostics;
using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.Unit.Safety;

/// <summary>
/// The real ./build.sh against a docker stand-in that never answers `docker info` (the scenario file `hang`), as a
/// frozen Docker Desktop does. It lives with the other safety tests but runs in the end-to-end collection, whose
/// compiled build root it shares.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HungToolEndToEndTests(CompiledBuildRoot build) : IDisposable
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
}
