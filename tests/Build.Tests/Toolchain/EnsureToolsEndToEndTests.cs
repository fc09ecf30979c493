// Unix file modes: the toolchain (and these tests) run on Linux and macOS only.
#pragma warning disable CA1416
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using Xunit.Abstractions;

namespace DataPlatform.Build.Tests.Toolchain;

/// <summary>
/// The real ./build.sh --target=EnsureTools, run as a child process on a copy of the repository, with a PATH that holds
/// a stand-in docker, the few system commands build.sh needs and dotnet, but no kind, kubectl, helm or helmfile.
/// DATA_PLATFORM_TOOLS_MIRROR points at a loopback mirror in the test process. The copy is the end-to-end tests' compiled
/// root, host included, so this run does not compile it again.
/// </summary>
public class EnsureToolsEndToEndTests(EndToEnd.CompiledBuildRoot build, ITestOutputHelper log) : IClassFixture<EndToEnd.CompiledBuildRoot>
{
    static readonly string[] SystemCommands =
        ["bash", "sh", "env", "dirname", "find", "sort", "cksum", "cat", "mkdir", "flock", "mktemp", "rm", "uname", "dotnet"];

    [Fact]
    public async Task On_a_fresh_clone_EnsureTools_installs_everything_and_a_second_run_is_a_no_op()
    {
        await using var mirror = await FixtureMirror.StartAsync();
        using var machine = new InstallerScenario();
        mirror.PublishAll(machine.Pins, machine.Platform);
        using var clone = await EndToEnd.CaseRoot.CopyAsync(build);
        // A fresh clone has no .tools: the shared root keeps a stand-in helm-diff there for the other tests.
        Directory.Delete(clone.File(".tools"), recursive: true);
        var root = clone.Path;
        var path = MinimalPath(machine.Root);

        var first = await BuildShAsync(root, path, mirror);
        log.WriteLine("first run:\n" + first.StandardOutput + first.StandardError);

        Assert.True(first.ExitCode == 0, first.StandardOutput + first.StandardError);
        Assert.Contains("Docker 27.3.1 is running", first.StandardOutput);
        foreach (var tool in new[] { "kind", "kubectl", "helm", "helmfile" })
        {
            Assert.True(File.Exists(Path.Combine(root, ".tools", "bin", tool)), $"{tool} installed");
            Assert.Contains($"installed {tool} ", first.StandardOutput);
        }
        Assert.True(File.Exists(Path.Combine(root, ".tools", "helm-plugins", "diff", "bin", "diff")));
        var requestsAfterFirstRun = mirror.Requests.Count;

        var second = await BuildShAsync(root, path, mirror);
        log.WriteLine("second run:\n" + second.StandardOutput + second.StandardError);

        Assert.True(second.ExitCode == 0, second.StandardOutput + second.StandardError);
        Assert.Equal(requestsAfterFirstRun, mirror.Requests.Count);
        Assert.DoesNotContain("installed ", second.StandardOutput);
        // The report lists every tool as cached, with the pinned version.
        foreach (var pin in machine.Pins.Binaries.Append(machine.Pins.HelmDiff))
            Assert.Matches($@"{pin.Name}\s+cached\s+{pin.Version}", second.StandardOutput);
    }

    static Task<BufferedCommandResult> BuildShAsync(string root, string path, FixtureMirror mirror) =>
        Cli.Wrap("/bin/bash")
            .WithArguments(["build.sh", "--target=EnsureTools"])
            .WithWorkingDirectory(root)
            .WithEnvironmentVariables(new Dictionary<string, string?>
            {
                ["PATH"] = path,
                ["DATA_PLATFORM_TOOLS_MIRROR"] = mirror.BaseUrl,
                ["DATA_PLATFORM_ROOT"] = null,
                ["HELM_PLUGINS"] = null,
                ["DOTNET_NOLOGO"] = "1",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["COLUMNS"] = "200",
            })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(Encoding.UTF8);

    /// <summary>A stand-in docker plus links to the system commands build.sh and dotnet need; nothing else (this machine has a kubectl in /usr/bin).</summary>
    static string MinimalPath(string scratch)
    {
        var stubs = Path.Combine(scratch, "stubs");
        Directory.CreateDirectory(stubs);
        var docker = Path.Combine(stubs, "docker");
        // Answers Doctor's `docker info --format '{{json .}}'` (a trimmed Docker Engine object) and nothing else.
        File.WriteAllText(docker, "#!/bin/sh\n# stand-in docker: answers the daemon check only\n" +
            "if [ \"$1\" = info ]; then echo '{\"ServerVersion\":\"27.3.1\",\"OperatingSystem\":\"Ubuntu 24.04 LTS\",\"OSType\":\"linux\"," +
            "\"CgroupDriver\":\"systemd\",\"CgroupVersion\":\"2\",\"MemTotal\":17179869184,\"DockerRootDir\":\"/var/lib/docker\"," +
            "\"SecurityOptions\":[\"name=seccomp,profile=builtin\",\"name=cgroupns\"]}'; exit 0; fi\n" +
            "echo \"stand-in docker: unexpected $*\" >&2; exit 1\n");
        File.SetUnixFileMode(docker, (UnixFileMode)0b111_101_101);

        var system = Path.Combine(scratch, "system-bin");
        Directory.CreateDirectory(system);
        var searchPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var command in SystemCommands)
        {
            var found = searchPath.Select(dir => Path.Combine(dir, command)).FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException($"{command} not found on this machine's PATH");
            File.CreateSymbolicLink(Path.Combine(system, command), found);
        }
        return $"{stubs}:{system}";
    }
}
