namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The real ./build.sh --target=Doctor against the stand-in docker, which answers `docker info --format '{{json .}}'`
/// with a real output captured from the engine the scenario names (tests/standins/docker-info). No Docker here.
/// </summary>
public sealed class DoctorTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>, IDisposable
{
    readonly Scenario _machine = new(build);

    public void Dispose() => _machine.Dispose();

    /// <summary>Doctor's two docker reads, sorted: it asks both at once (they only read), so they start in either order.</summary>
    static readonly string[] DoctorReads = ["docker info", $"docker inspect {FixturePlatform.ClusterName}-control-plane"];

    [Fact]
    public async Task On_a_healthy_engine_Doctor_exits_0_names_engine_and_access_mode_and_changes_nothing()
    {
        var kubeconfigBefore = File.ReadAllText(_machine.KubeConfig);

        var run = await _machine.RunBuildAsync("--target=Doctor");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(DoctorReads, run.Signatures.Order(StringComparer.Ordinal));
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
        Assert.Equal(DoctorReads, run.Signatures.Order(StringComparer.Ordinal));
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

    [Fact]
    public async Task Doctor_reports_the_image_cache_as_off_not_created_yet_or_its_mirrors_and_size_read_only()
    {
        var off = await _machine.RunBuildAsync("--target=Doctor");   // the scenario's default: IMAGE_CACHE=off
        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.Contains("image cache ok off (IMAGE_CACHE=off)", off.Text);
        Assert.Empty(off.Named("docker system df"));

        _machine.ImageCache = "on";
        var mirrors = DataPlatform.Build.Platform.RegistryMirrors.Load(Path.Combine(build.Root, "kind-config.yaml"));
        Assert.Equal(2, mirrors.Count);   // the fixture platform's `# mirror` lines
        var cold = await _machine.RunBuildAsync("--target=Doctor");
        Assert.True(cold.ExitCode == 0, cold.ToString());
        Assert.Contains($"not created yet: Up starts 2 mirrors ({mirrors[0].Registry}, {mirrors[1].Registry})", cold.Text);
        Assert.Contains("--verbose", Assert.Single(cold.Named("docker system df")).Argv);

        // One mirror's volume exists (the stand-in docker sizes volumes as the daemon does, in `docker system df -v`).
        var volume = mirrors[0].Volume;
        _machine.SetState("volumes.json", $$"""{"{{volume}}": {"data-platform.image-cache": "{{mirrors[0].Registry}}"}, "unrelated": {} }""");
        _machine.SetState("volume_sizes.json", $$"""{"{{volume}}": "2.1GB", "unrelated": "40GB"}""");
        var warm = await _machine.RunBuildAsync("--target=Doctor");

        Assert.True(warm.ExitCode == 0, warm.ToString());
        Assert.Contains($"1 mirror, 2.1 GB (1 of 2 not created yet: Up starts them): {mirrors[0].Registry} 2.1GB; ./build.sh --target=Purge frees it", warm.Text);
        Assert.DoesNotContain(warm.Calls, c => c.IsMutating);
        Assert.Empty(warm.Violations);
    }
}
