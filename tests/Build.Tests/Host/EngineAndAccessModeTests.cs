using DataPlatform.Build.Frosting;
using DataPlatform.Build.Host;

namespace DataPlatform.Build.Tests.Host;

/// <summary>Engine detection and the access mode, on the captured docker info of each engine (stand-ins for real daemons).</summary>
public class EngineAndAccessModeTests
{
    [Theory]
    [InlineData("linux-rootful", "DockerEngine", "Docker Engine (rootful)", false)]
    [InlineData("desktop-macos", "DockerDesktop", "Docker Desktop on macOS", false)]
    [InlineData("desktop-wsl2", "DockerDesktop", "Docker Desktop on Windows (WSL2)", false)]
    [InlineData("rootless", "RootlessDocker", "rootless Docker", true)]
    [InlineData("podman", "Podman", "Podman (rootless)", true)]
    public void Each_captured_engine_is_detected_and_named(string fixture, string kind, string description, bool rootless)
    {
        var engine = HostEngine.Detect(CapturedEngines.Info(fixture), CapturedEngines.OsOf(fixture));

        Assert.Equal(kind, engine.Kind.ToString());
        Assert.Equal(description, engine.Description);
        Assert.Equal(rootless, engine.Rootless);
    }

    [Theory]
    [InlineData("linux-rootful", "29.6.1", "2", 3837677568L, "/var/lib/docker")]
    [InlineData("desktop-wsl2", "28.3.2", "2", 1995177984L, "/var/lib/docker")]
    [InlineData("rootless", "20.10.5", "1", 4118511616L, "/home/ubuntu/.local/share/docker")]
    [InlineData("podman", "4.0.0", "2", 16401895424L, "/home/dwalsh/.local/share/containers/storage")]
    public void The_one_json_object_gives_version_cgroups_memory_and_root_dir(string fixture, string version, string cgroup, long memory, string root)
    {
        var info = CapturedEngines.Info(fixture);

        Assert.Equal(version, info.ServerVersion);
        Assert.Equal(cgroup, info.CgroupVersion);
        Assert.Equal(memory, info.MemTotal);
        Assert.Equal(root, info.DockerRootDir);
    }

    [Fact]
    public void Colima_is_named_from_its_vm_name_and_gets_published_mode()
    {
        var info = CapturedEngines.Info("linux-rootful") with { Name = "colima", OperatingSystem = "Ubuntu 24.04.1 LTS" };

        var engine = HostEngine.Detect(info, HostOs.MacOs);

        Assert.Equal(EngineKind.Colima, engine.Kind);
        Assert.Equal(AccessMode.Published, AccessDecision.Resolve(engine, null, null).Mode);
    }

    [Theory]
    [InlineData("linux-rootful", "direct")]
    [InlineData("desktop-macos", "published")]
    [InlineData("desktop-wsl2", "published")]
    [InlineData("rootless", "published")]
    [InlineData("podman", "published")]
    public void Before_the_cluster_exists_the_engine_decides_the_access_mode(string fixture, string mode)
    {
        var engine = HostEngine.Detect(CapturedEngines.Info(fixture), CapturedEngines.OsOf(fixture));

        var decision = AccessDecision.Resolve(engine, requested: null, kindNetworkAnswered: null);

        Assert.Equal(mode, decision.Name);
        Assert.False(decision.Overridden);
        Assert.Contains(engine.Description, decision.Reason);
    }

    [Fact]
    public void Docker_Engine_inside_a_WSL2_distro_is_published_although_it_is_rootful_Linux()
    {
        var info = CapturedEngines.Info("linux-rootful") with { KernelVersion = "6.6.87.2-microsoft-standard-WSL2" };

        var engine = HostEngine.Detect(info, HostOs.Linux);

        Assert.Equal("Docker Engine inside WSL2", engine.Description);
        Assert.Equal(AccessMode.Published, AccessDecision.Resolve(engine, null, null).Mode);
    }

    [Theory]
    [InlineData("linux-rootful", true, "direct")]
    [InlineData("linux-rootful", false, "published")]
    [InlineData("desktop-wsl2", true, "direct")]
    public void Once_the_cluster_exists_the_control_plane_probe_decides(string fixture, bool answered, string mode)
    {
        var engine = HostEngine.Detect(CapturedEngines.Info(fixture), CapturedEngines.OsOf(fixture));

        var decision = AccessDecision.Resolve(engine, null, answered, "172.18.0.2:6443");

        Assert.Equal(mode, decision.Name);
        Assert.Contains("172.18.0.2:6443", decision.Reason);
    }

    [Theory]
    [InlineData("direct", "published", "direct")]
    [InlineData(" Published ", "direct", "published")]
    [InlineData("PUBLISHED", "direct", "published")]
    public void PLATFORM_ACCESS_overrides_the_detection_and_the_probe(string requested, string detectedFixtureMode, string expected)
    {
        var fixture = detectedFixtureMode == "direct" ? "linux-rootful" : "desktop-macos";
        var engine = HostEngine.Detect(CapturedEngines.Info(fixture), CapturedEngines.OsOf(fixture));

        var decision = AccessDecision.Resolve(engine, requested, kindNetworkAnswered: detectedFixtureMode == "direct");

        Assert.Equal(expected, decision.Name);
        Assert.True(decision.Overridden);
        Assert.Contains("PLATFORM_ACCESS=", decision.Reason);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("directt")]
    [InlineData("")]
    [InlineData("published,direct")]
    public void Any_other_PLATFORM_ACCESS_value_is_an_error_naming_the_variable_and_the_choices(string requested)
    {
        var engine = HostEngine.Detect(CapturedEngines.Info("linux-rootful"), HostOs.Linux);

        var error = Assert.Throws<BuildFailure>(() => AccessDecision.Resolve(engine, requested, null));

        Assert.Contains(requested.Length == 0 ? "PLATFORM_ACCESS is empty" : $"PLATFORM_ACCESS is '{requested}'", error.Message);
        Assert.Contains("PLATFORM_ACCESS=direct", error.Message);
        Assert.Contains("PLATFORM_ACCESS=published", error.Message);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1, 2]")]
    [InlineData("")]
    public void Output_that_is_not_a_json_object_is_not_taken_for_an_engine(string output) => Assert.Null(DockerInfo.Parse(output));
}
