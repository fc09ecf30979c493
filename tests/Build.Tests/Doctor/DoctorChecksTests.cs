using DataPlatform.Build.Doctor;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Host;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tests.Host;

namespace DataPlatform.Build.Tests.Doctor;

/// <summary>
/// The Doctor's table on each captured engine output (stand-ins for real daemons), with a fake /proc and a fake
/// machine: what is ok, what warns (Up goes on) and what fails (Up stops before changing anything).
/// </summary>
public sealed class DoctorChecksTests : IDisposable
{
    static readonly MemoryNeed PlatformNeed = new(900L << 20, [new("minio: resources.requests.memory", 512L << 20, "values/minio.yaml.gotmpl")], []);

    readonly FakeHost _host = new();
    readonly string _home = Directory.CreateTempSubdirectory("doctor-home-").FullName;
    readonly Dictionary<string, string> _variables = new();

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    /// <summary>Host ports the platform's own access proxy holds (what `docker ps` finds on its label).</summary>
    readonly HashSet<int> _proxyPorts = [];

    /// <summary>Where each variable was set, as PlatformEnvironment.SourceOf answers; empty: unknown (the environment).</summary>
    readonly Dictionary<string, Build.Platform.VariableSource> _sources = new();

    Task<DoctorReport> Examine(string fixture, ToolResult? answer = null, string? controlPlane = null, MemoryNeed? need = null, string? kubeconfig = null) =>
        new DoctorChecks(_host).ExamineAsync(new DoctorInput(
            answer ?? CapturedEngines.Answer(fixture), CapturedEngines.OsOf(fixture), controlPlane, need ?? PlatformNeed, 3,
            kubeconfig ?? Path.Combine(_home, ".kube", "config"), key => _variables.GetValueOrDefault(key),
            _ => Task.FromResult<IReadOnlyCollection<int>>(_proxyPorts), _sources.GetValueOrDefault), CancellationToken.None);

    static HostCheck Line(DoctorReport report, string name) => Assert.Single(report.Checks, c => c.Name == name);

    [Theory]
    [MemberData(nameof(CapturedEngines.All), MemberType = typeof(CapturedEngines))]
    public async Task Every_engine_gets_the_same_lines_each_with_a_fix_when_it_is_not_ok(string fixture)
    {
        var report = await Examine(fixture);

        Assert.Equal(["docker", "engine", "cgroups", "memory", "disk", "access mode", "inotify limits", "host ports", "kubeconfig"],
            report.Checks.Select(c => c.Name));
        Assert.All(report.Checks.Where(c => c.Status != CheckStatus.Ok), c => Assert.False(string.IsNullOrWhiteSpace(c.Fix), c.Name));
        Assert.NotNull(report.Engine);
        Assert.NotNull(report.Access);
    }

    [Fact]
    public async Task A_healthy_Linux_machine_passes_with_the_engine_and_access_mode_named()
    {
        var report = await Examine("linux-rootful", need: PlatformNeed with { Bytes = 256L << 20 });

        Assert.Empty(report.Failures);
        Assert.Contains("Docker 29.6.1 is running", Line(report, "docker").Detail);
        Assert.Equal("Docker Engine (rootful)", Line(report, "engine").Detail);
        Assert.Equal(CheckStatus.Ok, Line(report, "cgroups").Status);
        Assert.StartsWith("direct", Line(report, "access mode").Detail);
        Assert.Equal(CheckStatus.Ok, Line(report, "inotify limits").Status);
        Assert.Contains("none bound in direct mode", Line(report, "host ports").Detail);
    }

    [Fact]
    public async Task Low_inotify_limits_warn_and_name_the_sysctl_fix()
    {
        _host.SetInotify(8192, 128);

        var line = Line(await Examine("linux-rootful"), "inotify limits");

        Assert.Equal(CheckStatus.Warning, line.Status);
        Assert.Contains("fs.inotify.max_user_watches=8192", line.Detail);
        Assert.Contains("sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512", line.Fix);
    }

    [Theory]
    [InlineData("desktop-macos")]
    [InlineData("desktop-wsl2")]
    public async Task Inotify_limits_of_this_machine_are_not_blamed_for_an_engine_in_a_vm(string fixture)
    {
        _host.SetInotify(8192, 128);

        var line = Line(await Examine(fixture), "inotify limits");

        Assert.Equal(CheckStatus.Ok, line.Status);
        Assert.Contains("not checked here", line.Detail);
    }

    [Fact]
    public async Task A_full_disk_under_DockerRootDir_fails()
    {
        _host.Disk = new DiskSpace(300L << 20, 100L << 30);

        var report = await Examine("linux-rootful");

        var line = Line(report, "disk");
        Assert.Equal(CheckStatus.Failure, line.Status);
        Assert.Contains("300 MiB free", line.Detail);
        Assert.Contains("/var/lib/docker", line.Detail);
        Assert.Contains("docker system prune", line.Fix);
        Assert.Contains(line, report.Failures);
    }

    [Fact]
    public async Task A_nearly_full_disk_warns()
    {
        _host.Disk = new DiskSpace(6L << 30, 100L << 30);

        Assert.Equal(CheckStatus.Warning, Line(await Examine("linux-rootful"), "disk").Status);
    }

    [Fact]
    public async Task The_disk_of_Docker_Desktops_vm_is_not_measured_from_the_host_and_says_so()
    {
        _host.Disk = new DiskSpace(1, 1);   // the host's disk is irrelevant: images live in the VM

        var line = Line(await Examine("desktop-macos"), "disk");

        Assert.Equal(CheckStatus.Ok, line.Status);
        Assert.StartsWith("not measured", line.Detail);
    }

    [Fact]
    public async Task Less_memory_than_the_platform_requests_fails_naming_the_measured_figure()
    {
        // The WSL2 capture: Docker Desktop's VM has 1.9 GiB.
        var report = await Examine("desktop-wsl2", need: PlatformNeed with { Bytes = 3L << 30 });

        var line = Line(report, "memory");
        Assert.Equal(CheckStatus.Failure, line.Status);
        Assert.Contains("1.9 GiB in the Docker Desktop on Windows (WSL2) VM", line.Detail);
        Assert.Contains("the platform requests 3 GiB", line.Detail);
        Assert.Contains("Settings > Resources", line.Fix);
    }

    [Fact]
    public async Task Memory_above_the_requests_but_without_headroom_for_the_nodes_warns()
    {
        // 3.6 GiB on the captured Ubuntu machine; 900 MiB requested + 1 GiB for each of 3 nodes is 3.9 GiB.
        var line = Line(await Examine("linux-rootful"), "memory");

        Assert.Equal(CheckStatus.Warning, line.Status);
        Assert.Contains("3.6 GiB in this machine", line.Detail);
    }

    [Fact]
    public async Task Cgroup_v1_without_a_driver_fails_on_the_captured_rootless_engine()
    {
        var report = await Examine("rootless");

        var line = Line(report, "cgroups");
        Assert.Equal(CheckStatus.Failure, line.Status);
        Assert.Contains("cgroup v1, driver none", line.Detail);
        Assert.Contains("cgroup v2", line.Fix);
        Assert.Equal(CheckStatus.Warning, Line(report, "engine").Status);
    }

    [Fact]
    public async Task Cgroup_v1_with_a_driver_still_fails_because_current_kubelets_refuse_it()
    {
        var json = CapturedEngines.Json("linux-rootful").Replace("\"CgroupVersion\":\"2\"", "\"CgroupVersion\":\"1\"").Replace("\"systemd\"", "\"cgroupfs\"");

        var line = Line(await Examine("linux-rootful", new ToolResult(0, json, "")), "cgroups");

        Assert.Equal(CheckStatus.Failure, line.Status);
        Assert.Contains("Kubernetes 1.35 and later refuse cgroup v1", line.Detail);
    }

    [Fact]
    public async Task Podman_warns_that_kinds_provider_for_it_is_experimental()
    {
        var line = Line(await Examine("podman"), "engine");

        Assert.Equal(CheckStatus.Warning, line.Status);
        Assert.Contains("KIND_EXPERIMENTAL_PROVIDER=podman", line.Fix);
    }

    [Fact]
    public async Task Docker_down_is_one_failure_and_no_engine_is_guessed()
    {
        var down = new ToolResult(1, "", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n");

        var report = await Examine("linux-rootful", down);

        var line = Assert.Single(report.Failures);
        Assert.Equal("docker", line.Name);
        Assert.Contains("Docker is not running (Cannot connect to the Docker daemon", line.Detail);
        Assert.Null(report.Engine);
        Assert.Null(report.Access);
    }

    [Fact]
    public async Task A_daemon_error_inside_the_json_is_docker_down_too()
    {
        var answer = new ToolResult(0, """{"ServerErrors":["Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"]}""", "");

        Assert.Contains("Docker is not running", Line(await Examine("linux-rootful", answer), "docker").Detail);
    }

    [Fact]
    public async Task Docker_missing_fails_with_the_install_hint()
    {
        var report = await new DoctorChecks(_host).ExamineAsync(new DoctorInput(null, HostOs.Linux, null, PlatformNeed, 3,
            Path.Combine(_home, "config"), _ => null), CancellationToken.None);

        Assert.Contains("docs.docker.com/engine/install", Line(report, "docker").Fix);
    }

    [Fact]
    public async Task An_old_cli_that_prints_no_json_fails_instead_of_passing_silently()
    {
        var line = Line(await Examine("linux-rootful", new ToolResult(0, "Template parsing error: template: :1: function \"json\" not defined\n", "")), "docker");

        Assert.Equal(CheckStatus.Failure, line.Status);
        Assert.Contains("did not describe a daemon", line.Detail);
    }

    [Fact]
    public async Task With_the_cluster_up_the_control_plane_is_probed_on_6443_and_its_silence_means_published()
    {
        _host.ControlPlaneAnswers = false;

        var report = await Examine("linux-rootful", controlPlane: "172.18.0.2");

        Assert.Equal(["172.18.0.2:6443"], _host.Probed);
        Assert.Equal(AccessMode.Published, report.Access!.Mode);
    }

    [Theory]
    [InlineData("published")]
    [InlineData("direct")]
    public async Task With_PLATFORM_ACCESS_set_the_control_plane_is_never_probed(string mode)
    {
        _variables["PLATFORM_ACCESS"] = mode;

        var report = await Examine("linux-rootful", controlPlane: "172.18.0.2");

        Assert.Empty(_host.Probed);
        Assert.Equal(mode, report.Access!.Name);
    }

    [Fact]
    public async Task In_published_mode_a_port_taken_by_another_program_fails_before_anything_changes_and_names_the_variable()
    {
        _host.Listening.Add(5432);

        var report = await Examine("desktop-macos");
        var line = Line(report, "host ports");

        Assert.Equal(CheckStatus.Failure, line.Status);
        Assert.Contains("5432 (PostgreSQL (pg-source))", line.Detail);
        Assert.Contains("PLATFORM_POSTGRES_PORT=<free port>", line.Fix);
        Assert.Contains(line, report.Failures);
    }

    [Fact]
    public async Task Ports_the_platforms_own_access_proxy_holds_are_not_a_clash_on_the_second_Up()
    {
        _host.Listening.UnionWith([80, 443, 5432]);
        _proxyPorts.UnionWith([80, 443, 5432]);

        var line = Line(await Examine("desktop-macos"), "host ports");

        Assert.Equal(CheckStatus.Ok, line.Status);
    }

    [Fact]
    public async Task In_direct_mode_a_taken_port_is_no_concern()
    {
        _host.Listening.Add(443);

        var line = Line(await Examine("linux-rootful"), "host ports");

        Assert.Equal(CheckStatus.Ok, line.Status);
        Assert.Contains("direct mode", line.Detail);
    }

    [Fact]
    public async Task A_moved_port_is_the_one_checked()
    {
        _variables["PLATFORM_HTTPS_PORT"] = "8443";
        _host.Listening.Add(443);

        var line = Line(await Examine("desktop-macos"), "host ports");

        Assert.Equal(CheckStatus.Ok, line.Status);
        Assert.Contains("80, 8443, 5432", line.Detail);
    }

    [Theory]
    [InlineData("PLATFORM_HTTP_PORT", "eighty")]
    [InlineData("PLATFORM_HTTPS_PORT", "70000")]
    [InlineData("PLATFORM_POSTGRES_PORT", "0")]
    [InlineData("PLATFORM_HTTP_PORT", "-1")]
    public async Task A_port_variable_that_is_not_a_port_fails_naming_it(string variable, string value)
    {
        _variables[variable] = value;

        var line = Line(await Examine("desktop-macos"), "host ports");

        Assert.Equal(CheckStatus.Failure, line.Status);
        Assert.Contains($"{variable} is '{value}'", line.Detail);
    }

    [Fact]
    public async Task Two_port_variables_on_the_same_number_fail_naming_both()
    {
        _variables["PLATFORM_HTTP_PORT"] = "8080";
        _variables["PLATFORM_HTTPS_PORT"] = "8080";

        var line = Line(await Examine("desktop-macos"), "host ports");

        Assert.Equal(CheckStatus.Failure, line.Status);
        Assert.Contains("PLATFORM_HTTP_PORT and PLATFORM_HTTPS_PORT are both 8080", line.Detail);
    }

    [Fact]
    public async Task A_bad_port_is_named_with_the_file_and_line_that_set_it()
    {
        _variables["PLATFORM_HTTPS_PORT"] = "70000";
        _sources["PLATFORM_HTTPS_PORT"] = new(".env.local", 3);
        _variables["PLATFORM_ACCESS"] = "auto";
        _sources["PLATFORM_ACCESS"] = new(".env", 40);

        var report = await Examine("desktop-macos");

        Assert.StartsWith(".env.local:3: PLATFORM_HTTPS_PORT is '70000'", Line(report, "host ports").Detail);
        Assert.StartsWith(".env:40: PLATFORM_ACCESS is 'auto'", Line(report, "access mode").Detail);
    }

    [Fact]
    public async Task Rootless_Docker_warns_that_ports_below_the_unprivileged_start_cannot_be_published_naming_their_variables()
    {
        var line = Line(await Examine("rootless"), "host ports");

        Assert.Equal(CheckStatus.Warning, line.Status);
        Assert.Contains("80 (PLATFORM_HTTP_PORT), 443 (PLATFORM_HTTPS_PORT)", line.Detail);
        Assert.Contains("below 1024 (net.ipv4.ip_unprivileged_port_start)", line.Detail);
        Assert.DoesNotContain("PLATFORM_POSTGRES_PORT", line.Detail);
        Assert.Contains("PLATFORM_HTTP_PORT=8080", line.Fix);
        Assert.Contains("sudo sysctl net.ipv4.ip_unprivileged_port_start=80", line.Fix);
        Assert.Contains("setcap cap_net_bind_service", line.Fix);
    }

    [Theory]
    [InlineData(80, null, null)]          // the sysctl lowered far enough: 80 and 443 bind
    [InlineData(1024, "8080", "8443")]    // the ports moved above the limit
    public async Task Rootless_Docker_is_fine_when_the_kernel_lets_users_bind_the_ports(int unprivilegedStart, string? http, string? https)
    {
        _host.SetUnprivilegedPortStart(unprivilegedStart);
        if (http is not null) _variables["PLATFORM_HTTP_PORT"] = http;
        if (https is not null) _variables["PLATFORM_HTTPS_PORT"] = https;

        var line = Line(await Examine("rootless"), "host ports");

        Assert.Equal(CheckStatus.Ok, line.Status);
    }

    [Fact]
    public async Task Rootless_Docker_names_only_the_ports_below_a_raised_start()
    {
        _host.SetUnprivilegedPortStart(443);

        var line = Line(await Examine("rootless"), "host ports");

        Assert.Equal(CheckStatus.Warning, line.Status);
        Assert.Contains("80 (PLATFORM_HTTP_PORT)", line.Detail);
        Assert.DoesNotContain("PLATFORM_HTTPS_PORT", line.Detail);
    }

    [Fact]
    public async Task Docker_Desktop_binds_ports_below_1024_without_a_warning()
    {
        var line = Line(await Examine("desktop-macos"), "host ports");

        Assert.Equal(CheckStatus.Ok, line.Status);
    }

    [Fact]
    public async Task A_bad_PLATFORM_ACCESS_is_a_failure_line_not_a_crash()
    {
        _variables["PLATFORM_ACCESS"] = "auto";

        var report = await Examine("linux-rootful");

        Assert.Contains("PLATFORM_ACCESS is 'auto'", Line(report, "access mode").Detail);
        Assert.Equal(CheckStatus.Failure, Line(report, "access mode").Status);
    }

    [Fact]
    public async Task A_kubeconfig_path_that_is_a_directory_fails()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_home, "kubeconfig-dir")).FullName;

        var line = Line(await Examine("linux-rootful", kubeconfig: directory), "kubeconfig");

        Assert.Equal(CheckStatus.Failure, line.Status);
        Assert.Contains("is a directory", line.Detail);
    }

    [Fact]
    public async Task A_read_only_kubeconfig_fails()
    {
        var file = Path.Combine(_home, "config");
        File.WriteAllText(file, "apiVersion: v1\nkind: Config\n");
        _host.ReadOnlyPaths.Add(file);   // this test runs as root, which the kernel lets write anything: the fake says read-only

        var line = Line(await Examine("linux-rootful", kubeconfig: file), "kubeconfig");

        Assert.Equal(CheckStatus.Failure, line.Status);
        Assert.Contains("is not writable", line.Detail);
    }

    [Fact]
    public async Task A_kubeconfig_under_a_regular_file_cannot_be_created()
    {
        var file = Path.Combine(_home, "plain-file");
        File.WriteAllText(file, "");

        var line = Line(await Examine("linux-rootful", kubeconfig: Path.Combine(file, "config")), "kubeconfig");

        Assert.Equal(CheckStatus.Failure, line.Status);
        Assert.Contains("cannot be created", line.Detail);
    }

    [Fact]
    public async Task A_missing_kubeconfig_in_a_writable_home_is_fine()
    {
        var line = Line(await Examine("linux-rootful"), "kubeconfig");

        Assert.Equal(CheckStatus.Ok, line.Status);
        Assert.Contains("will be created", line.Detail);
    }

    [Theory]
    [InlineData(null, "/home/u/.kube/config")]
    [InlineData("", "/home/u/.kube/config")]
    [InlineData("/a/first:/b/second", "/a/first")]
    [InlineData(":/b/second", "/b/second")]
    public void Kind_writes_the_first_file_of_KUBECONFIG_or_the_default(string? variable, string expected) =>
        Assert.Equal(expected, DoctorChecks.KubeconfigTarget(variable, "/home/u"));

    [Fact]
    public void Failures_stop_the_build_with_every_failing_line_and_its_fix()
    {
        var report = new DoctorReport(
        [
            HostCheck.Ok("docker", "Docker 29.6.1 is running"),
            HostCheck.Failure("disk", "300 MiB free", "free space"),
            HostCheck.Warning("inotify limits", "low", "sysctl"),
            HostCheck.Failure("cgroups", "cgroup v1", "boot with cgroup v2"),
        ], null, null);

        var error = Assert.Throws<BuildFailure>(() => DoctorService.RequireHealthy(report));

        Assert.Contains("2 check(s) failed", error.Message);
        Assert.Contains("disk: 300 MiB free", error.Message);
        Assert.Contains("fix: boot with cgroup v2", error.Message);
        Assert.DoesNotContain("inotify", error.Message);
    }

    [Fact]
    public void Warnings_alone_do_not_stop_the_build() =>
        DoctorService.RequireHealthy(new DoctorReport([HostCheck.Warning("inotify limits", "low", "sysctl")], null, null));
}
