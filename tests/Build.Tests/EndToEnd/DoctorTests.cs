namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The real ./build.sh --target=Doctor against the stand-in docker, which answers `docker info --format '{{json .}}'`
/// with a real output captured from the engine the scenario names (tests/standins/docker-info). No Docker here.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class DoctorTests(CompiledBuildRoot build) : IDisposable
{
    readonly Scenario _machine = new(build);

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task On_a_healthy_engine_Doctor_exits_0_names_engine_and_access_mode_and_changes_nothing()
    {
        var kubeconfigBefore = File.ReadAllText(_machine.KubeConfig);

        var run = await _machine.RunBuildAsync("--target=Doctor");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["docker info", $"docker inspect {FixturePlatform.ClusterName}-control-plane"], run.Signatures);
        Assert.Contains("{{json .}}", Assert.Single(run.Named("docker info")).Argv);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.Empty(run.Violations);
        Assert.Contains("Docker 29.6.1 is running", run.Text);
        Assert.Contains("Access mode: direct", run.Text);
        Assert.Equal(kubeconfigBefore, File.ReadAllText(_machine.KubeConfig));
    }

    [Fact]
    public async Task A_failing_check_exits_1_with_its_fix_and_no_mutating_call()
    {
        _machine.SetState("docker_engine", "rootless");   // cgroup v1, driver none: kind's nodes cannot start

        var run = await _machine.RunBuildAsync("--target=Doctor");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("Doctor: 1 check(s) failed", run.Text);
        Assert.Contains("cgroups: cgroup v1, driver none", run.Text);
        Assert.Contains("fix: boot the host with cgroup v2", run.Text);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.False(run.HasStackTrace, run.ToString());
    }

    [Fact]
    public async Task A_failing_check_stops_Up_before_anything_changes()
    {
        _machine.SetState("docker_engine", "rootless");

        var run = await _machine.RunBuildAsync("--target=Up");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal(["docker info", $"docker inspect {FixturePlatform.ClusterName}-control-plane"], run.Signatures);
        Assert.Empty(_machine.Clusters);
        Assert.False(run.HasStackTrace, run.ToString());
    }

    [Fact]
    public async Task Docker_Desktop_is_named_and_the_platform_is_reached_through_published_ports()
    {
        _machine.SetState("docker_engine", "desktop-macos");

        var run = await _machine.RunBuildAsync("--target=Doctor");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Docker Desktop", run.Text);
        Assert.Contains("Access mode: published", run.Text);
    }

    [Fact]
    public async Task With_the_cluster_up_the_control_plane_container_is_inspected_and_probed()
    {
        await _machine.GivenPlatformClusterAsync();
        // Loopback, where nothing listens on 6443: the probe is refused at once, so the kind network counts as unreachable.
        _machine.SetState("control_plane_ip", "127.0.0.1");

        var run = await _machine.RunBuildAsync("--target=Doctor");

        Assert.True(run.ExitCode == 0, run.ToString());
        var inspect = Assert.Single(run.Named($"docker inspect {FixturePlatform.ClusterName}-control-plane"));
        Assert.Equal($"{FixturePlatform.ClusterName}-control-plane", inspect.Argv[^1]);
        Assert.Contains("Access mode: published (the kind control plane 127.0.0.1:6443 does not answer from this host)", run.Text);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
    }
}
