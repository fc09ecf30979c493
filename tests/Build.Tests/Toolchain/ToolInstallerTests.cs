using DataPlatform.Build.Frosting;
using DataPlatform.Build.Toolchain;
using DataPlatform.Build.Tools;
// Unix file modes: the toolchain (and these tests) run on Linux and macOS only.
#pragma warning disable CA1416

namespace DataPlatform.Build.Tests.Toolchain;

/// <summary>
/// The installer against a loopback mirror in the test process (standing in for the upstream download sites), with
/// stand-in tool scripts that print the versions the pins expect. Each test describes its machine's PATH explicitly.
/// </summary>
public class ToolInstallerTests
{
    static readonly string[] Binaries = ["kind", "kubectl", "helm", "helmfile"];

    [Fact]
    public async Task A_fresh_machine_gets_every_pinned_tool_verified_and_installed_into_the_local_folder()
    {
        await using var mirror = await FixtureMirror.StartAsync();
        using var machine = new InstallerScenario();
        mirror.PublishAll(machine.Pins, machine.Platform);

        var reports = await machine.RunAsync(mirror);

        Assert.All(reports, r => Assert.Equal(ToolStatus.Installed, r.Status));
        Assert.Equal(["kind", "kubectl", "helm", "helmfile", "helm-diff"], reports.Select(r => r.Tool));
        foreach (var tool in Binaries)
        {
            var report = reports.Single(r => r.Tool == tool);
            Assert.Equal(Path.Combine(machine.ToolsDirectory, tool), report.Path);
            Assert.True((File.GetUnixFileMode(report.Path) & UnixFileMode.UserExecute) != 0, $"{tool} is executable");
        }
        // The version each installed binary reports is the pin: the probe ran the installed stand-in.
        Assert.Equal(machine.Pins.Kubectl.Version.ToString(), reports.Single(r => r.Tool == "kubectl").Version);
        Assert.Equal(machine.Pins.Helm.Version.ToString(), reports.Single(r => r.Tool == "helm").Version);
        var plugin = Path.Combine(machine.PluginsDirectory, "diff");
        Assert.Contains($"version: \"{machine.Pins.HelmDiff.Version.Bare}\"", File.ReadAllText(Path.Combine(plugin, "plugin.yaml")));
        Assert.True((File.GetUnixFileMode(Path.Combine(plugin, "bin", "diff")) & UnixFileMode.UserExecute) != 0);
        Assert.Equal(machine.Pins.HelmDiff.Version.ToString(), reports.Single(r => r.Tool == "helm-diff").Version);
        AssertNoTemporaryFiles(machine);
    }

    [Fact]
    public async Task A_second_run_reuses_the_cache_and_downloads_nothing()
    {
        await using var mirror = await FixtureMirror.StartAsync();
        using var machine = new InstallerScenario();
        mirror.PublishAll(machine.Pins, machine.Platform);
        await machine.RunAsync(mirror);
        var requestsAfterFirstRun = mirror.Requests.Count;

        var reports = await machine.RunAsync(mirror);

        Assert.Equal(requestsAfterFirstRun, mirror.Requests.Count);
        Assert.All(reports, r => Assert.Equal(ToolStatus.Cached, r.Status));
    }

    [Fact]
    public async Task A_cached_copy_that_no_longer_matches_the_pin_is_replaced()
    {
        await using var mirror = await FixtureMirror.StartAsync();
        using var machine = new InstallerScenario();
        mirror.PublishAll(machine.Pins, machine.Platform);
        StandIn.Install(machine.ToolsDirectory, "helmfile", new ToolVersion(1, 6, 0));   // left by an older pin

        var reports = await machine.RunAsync(mirror);

        var helmfile = reports.Single(r => r.Tool == "helmfile");
        Assert.Equal(ToolStatus.Installed, helmfile.Status);
        Assert.Equal(machine.Pins.Helmfile.Version.ToString(), helmfile.Version);
    }

    [Fact]
    public async Task A_tampered_archive_is_rejected_and_leaves_no_executable_behind()
    {
        await using var mirror = await FixtureMirror.StartAsync();
        using var machine = new InstallerScenario();
        mirror.PublishAll(machine.Pins, machine.Platform);
        var helm = ToolAssets.For(machine.Pins.Helm, machine.Platform);
        // Same name, different bytes: a valid tarball whose helm is not the one the checksum file describes.
        mirror.Put(helm.Url, FixtureMirror.TarGz(($"{machine.Platform.Os}-{machine.Platform.Arch}/helm", "#!/bin/sh\necho pwned\n")));

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => machine.RunAsync(mirror));

        Assert.Contains("failed its checksum", failure.Message);
        Assert.Contains(MirrorUrl.Apply(helm.Url, mirror.BaseUrl).ToString(), failure.Message);
        Assert.False(File.Exists(Path.Combine(machine.ToolsDirectory, "helm")));
        AssertNoTemporaryFiles(machine);
    }

    [Fact]
    public async Task An_interrupted_download_installs_nothing_and_says_how_to_install_by_hand()
    {
        await using var mirror = await FixtureMirror.StartAsync();
        using var machine = new InstallerScenario();
        mirror.PublishAll(machine.Pins, machine.Platform);
        var kubectl = ToolAssets.For(machine.Pins.Kubectl, machine.Platform);
        mirror.CutOffHalfway(kubectl.Url);

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => machine.RunAsync(mirror));

        var url = MirrorUrl.Apply(kubectl.Url, mirror.BaseUrl).ToString();
        Assert.Contains($"Could not download kubectl {machine.Pins.Kubectl.Version} from {url}", failure.Message);
        Assert.Contains("by hand", failure.Message);
        Assert.False(File.Exists(Path.Combine(machine.ToolsDirectory, "kubectl")));
        AssertNoTemporaryFiles(machine);
    }

    [Fact]
    public async Task A_missing_file_on_the_mirror_names_the_url()
    {
        await using var mirror = await FixtureMirror.StartAsync();
        using var machine = new InstallerScenario();   // nothing published

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => machine.RunAsync(mirror));

        Assert.Contains("HTTP 404", failure.Message);
        Assert.Contains(MirrorUrl.Apply(ToolAssets.For(machine.Pins.Kind, machine.Platform).ChecksumUrl, mirror.BaseUrl).ToString(), failure.Message);
        Assert.Contains("DATA_PLATFORM_TOOLS_MIRROR", failure.Message);
    }

    [Fact]
    public async Task A_tool_already_on_path_at_a_good_version_is_used_and_not_downloaded()
    {
        await using var mirror = await FixtureMirror.StartAsync();
        using var machine = new InstallerScenario();
        mirror.PublishAll(machine.Pins, machine.Platform);
        // A stand-in for the user's own kind, at the minimum tools.yaml accepts.
        var usersKind = StandIn.Install(machine.UserBin, "kind", machine.Pins.Kind.Minimum ?? machine.Pins.Kind.Version);

        var reports = await machine.RunAsync(mirror);

        var kind = reports.Single(r => r.Tool == "kind");
        Assert.Equal(ToolStatus.FoundOnPath, kind.Status);
        Assert.Equal(usersKind, kind.Path);
        Assert.False(File.Exists(Path.Combine(machine.ToolsDirectory, "kind")));
        Assert.DoesNotContain(mirror.Requests, path => path.Contains("/kind-"));
    }

    [Fact]
    public async Task A_tool_on_path_that_is_too_old_is_shadowed_by_the_pinned_copy_in_the_local_folder()
    {
        await using var mirror = await FixtureMirror.StartAsync();
        using var machine = new InstallerScenario();
        mirror.PublishAll(machine.Pins, machine.Platform);
        var usersKubectl = StandIn.Install(machine.UserBin, "kubectl", new ToolVersion(1, 30, 2));   // stand-in for an old kubectl

        var reports = await machine.RunAsync(mirror);

        var kubectl = reports.Single(r => r.Tool == "kubectl");
        Assert.Equal(ToolStatus.Installed, kubectl.Status);
        Assert.Equal(Path.Combine(machine.ToolsDirectory, "kubectl"), kubectl.Path);
        Assert.Contains("v1.30.2", kubectl.Note);
        Assert.Contains("v1.30.2", File.ReadAllText(usersKubectl));   // the user's own copy is left alone
    }

    [Fact]
    public async Task Plan_mode_downloads_and_writes_nothing_and_says_what_it_would_install()
    {
        await using var mirror = await FixtureMirror.StartAsync();
        using var machine = new InstallerScenario();
        mirror.PublishAll(machine.Pins, machine.Platform);

        var reports = await machine.RunAsync(mirror, plan: true);

        Assert.All(reports, r => Assert.Equal(ToolStatus.WouldInstall, r.Status));
        Assert.Empty(mirror.Requests);
        Assert.False(Directory.Exists(Path.Combine(machine.Root, ".tools")));
        Assert.Contains($"would download helm {machine.Pins.Helm.Version}", machine.Output.ToString());
    }

    [Fact]
    public async Task Leftovers_of_a_killed_run_are_swept_and_never_count_as_installed()
    {
        await using var mirror = await FixtureMirror.StartAsync();
        using var machine = new InstallerScenario();
        mirror.PublishAll(machine.Pins, machine.Platform);
        Directory.CreateDirectory(machine.ToolsDirectory);
        File.WriteAllText(Path.Combine(machine.ToolsDirectory, ".kind.partial-0123.download"), "half a download");

        var reports = await machine.RunAsync(mirror);

        Assert.Equal(ToolStatus.Installed, reports.Single(r => r.Tool == "kind").Status);
        AssertNoTemporaryFiles(machine);
    }

    static void AssertNoTemporaryFiles(InstallerScenario machine)
    {
        foreach (var folder in new[] { machine.ToolsDirectory, machine.PluginsDirectory }.Where(Directory.Exists))
            Assert.Empty(Directory.EnumerateFileSystemEntries(folder, ".*"));
    }
}
