using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.BuildHost;

/// <summary>
/// ./build.sh's warm start: it compiles the host only when build/ changed or the compiled files are damaged, ReadyToRun
/// for the machine it runs on when it can. A stand-in dotnet "compiles" by writing a host script (a real compile is
/// what the end-to-end tests pay for once), a stand-in uname names the machine, and on macOS's tools:
/// tests/standins/bsd holds stand-ins for BSD find (no -printf) and BSD stat (-f formats), put first on PATH, so the
/// script's macOS path is run here too.
/// </summary>
public sealed class BuildScriptTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("build-sh-").FullName;
    string Log => Path.Combine(_root, "dotnet.log");
    string Source => Path.Combine(_root, "build", "Program.cs");
    string CompiledLibrary => Path.Combine(_root, ".artifacts", "build", "build.dll");

    public BuildScriptTests()
    {
        File.Copy(RepoRoot.File("build.sh"), Path.Combine(_root, "build.sh"));
        Directory.CreateDirectory(Path.Combine(_root, "build"));
        File.WriteAllText(Path.Combine(_root, "build", "Build.csproj"), "<Project />\n");
        File.WriteAllText(Source, "// the host\n");
        File.WriteAllText(Path.Combine(_root, "global.json"), "{}\n");
        File.WriteAllText(Path.Combine(_root, "Directory.Build.props"), "<Project />\n");
        var stubs = Directory.CreateDirectory(Path.Combine(_root, "stubs")).FullName;
        // dotnet build|publish ... -o <out> ...: records its arguments, then leaves a host that echoes its own, and a
        // library. DOTNET_PUBLISH_FAILS makes publish fail as NuGet does offline (a restore error), as crossgen2 does (the SDK's
        // NETSDK1096, from Microsoft.NET.CrossGen.targets) or as a compile error does.
        var dotnet = Path.Combine(stubs, "dotnet");
        File.WriteAllText(dotnet, """
            #!/bin/bash
            echo "$*" >> "$DOTNET_LOG"
            if [[ "$1" == publish && "${DOTNET_PUBLISH_FAILS:-}" == restore ]]; then
              echo "/x/build/Build.csproj : error NU1101: Unable to find package Microsoft.NETCore.App.Crossgen2.linux-x64. No packages exist with this id in source(s): nuget.org"
              exit 1
            elif [[ "$1" == publish && "${DOTNET_PUBLISH_FAILS:-}" == precompile ]]; then
              echo "/x/Microsoft.NET.Publish.targets(353,5): error NETSDK1096: Optimizing assemblies for performance failed. You can either exclude the failing assemblies from being optimized, or set the PublishReadyToRun property to false. [/x/build/Build.csproj]"
              exit 1
            elif [[ "$1" == publish && "${DOTNET_PUBLISH_FAILS:-}" == compile ]]; then
              echo "/x/build/Program.cs(1,1): error CS1002: ; expected"
              exit 1
            fi
            while [[ $# -gt 0 && "$1" != "-o" ]]; do shift; done
            printf '#!/bin/sh\necho "host $*"\n' > "$2/build" && chmod +x "$2/build"
            printf 'compiled library' > "$2/build.dll"
            """.Replace("\r", ""));
        File.SetUnixFileMode(dotnet, (UnixFileMode)0b111_101_101);
        // uname -s / uname -m: the machine the test says (UNAME_S, UNAME_M), a 64-bit Intel Linux unless told otherwise.
        var uname = Path.Combine(stubs, "uname");
        File.WriteAllText(uname, """
            #!/bin/sh
            case "$1" in -s) echo "${UNAME_S:-Linux}" ;; -m) echo "${UNAME_M:-x86_64}" ;; *) exit 1 ;; esac
            """.Replace("\r", ""));
        File.SetUnixFileMode(uname, (UnixFileMode)0b111_101_101);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("GNU")]
    [InlineData("BSD")] // macOS
    [InlineData("BSD find, GNU stat")] // macOS with Homebrew's coreutils first on PATH, but not its findutils
    public async Task The_host_is_compiled_once_then_again_only_when_a_source_changes(string tools)
    {
        var first = await RunAsync(tools, "--help");
        var warm = await RunAsync(tools, "--target=Up");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("host --help", first.StandardOutput);
        Assert.Contains("host --target=Up", warm.StandardOutput);
        Assert.Single(Compiles());

        // A later modification time, as an editor leaves it (BSD stat reports whole seconds).
        File.SetLastWriteTimeUtc(Source, File.GetLastWriteTimeUtc(Source).AddSeconds(5));
        var changed = await RunAsync(tools, "--help");

        Assert.Contains("Compiling the build host (build/ changed)", changed.StandardError);
        Assert.Equal(2, Compiles().Count);
    }

    [Theory]
    [InlineData("GNU")]
    [InlineData("BSD")] // macOS
    public async Task What_the_host_keeps_beside_itself_is_not_taken_for_damage(string tools)
    {
        await RunAsync(tools, "--help");
        // What runs of a task leave in .artifacts/build: their JIT profiles.
        File.WriteAllText(Path.Combine(_root, ".artifacts", "build", ".jit-Up.4242.profile"), "profile");
        File.WriteAllText(Path.Combine(_root, ".artifacts", "build", ".jit-Up.4243.profile"), "another");

        var warm = await RunAsync(tools, "--target=Up");

        Assert.True(warm.ExitCode == 0, warm.Output);
        Assert.DoesNotContain("Compiling", warm.StandardError);
        Assert.Single(Compiles());
    }

    [Theory]
    [InlineData("GNU")]
    [InlineData("BSD")] // macOS
    public async Task A_damaged_compiled_host_is_rebuilt_from_scratch(string tools)
    {
        await RunAsync(tools, "--help");
        File.WriteAllText(CompiledLibrary, "trunc");

        var repaired = await RunAsync(tools, "--help");

        Assert.True(repaired.ExitCode == 0, repaired.Output);
        Assert.Contains("damaged or incomplete", repaired.StandardError);
        Assert.Contains("-t:Rebuild;Publish", Compiles()[^1]);
        Assert.Equal("compiled library", File.ReadAllText(CompiledLibrary));
    }

    [Theory]
    [InlineData("Linux", "x86_64", "linux-x64")]
    [InlineData("Linux", "aarch64", "linux-arm64")]
    [InlineData("Darwin", "arm64", "osx-arm64")] // Apple silicon
    [InlineData("Darwin", "x86_64", "osx-x64")]
    public async Task The_host_is_published_ReadyToRun_for_the_machine_it_runs_on(string os, string machine, string rid)
    {
        var run = await RunAsync("GNU", ["--help"], new() { ["UNAME_S"] = os, ["UNAME_M"] = machine });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("host --help", run.StandardOutput);
        var compile = Assert.Single(Compiles());
        Assert.StartsWith("publish ", compile);
        Assert.Contains($"-r {rid} ", compile);
        Assert.Contains("-p:PublishReadyToRun=true", compile);
        Assert.Contains("--self-contained false", compile);
        Assert.DoesNotContain("without ReadyToRun", run.StandardError);
    }

    [Theory]
    [InlineData("FreeBSD", "amd64")]
    [InlineData("Linux", "armv7l")] // a 32-bit Raspberry Pi
    public async Task A_machine_without_ReadyToRun_packs_gets_a_plain_host_and_is_told_why(string os, string machine)
    {
        var run = await RunAsync("GNU", ["--help"], new() { ["UNAME_S"] = os, ["UNAME_M"] = machine });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("host --help", run.StandardOutput);
        Assert.StartsWith("build ", Assert.Single(Compiles()));
        var note = Assert.Single(run.StandardError.Split('\n'), line => line.Contains("without ReadyToRun"));
        Assert.Contains($"{os} {machine}", note);
    }

    [Theory]
    [InlineData("GNU")]
    [InlineData("BSD")] // macOS
    public async Task Offline_the_ReadyToRun_publish_falls_back_to_a_plain_host_that_stays_warm(string tools)
    {
        var offline = new Dictionary<string, string> { ["DOTNET_PUBLISH_FAILS"] = "restore" };

        var first = await RunAsync(tools, ["--help"], offline);
        var warm = await RunAsync(tools, ["--target=Up"], offline);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("host --help", first.StandardOutput);
        // One line says why, naming NuGet's error; the restore's own output is not shown.
        var note = Assert.Single(first.StandardError.Split('\n'), line => line.Contains("without ReadyToRun"));
        Assert.Contains("NU1101", note);
        Assert.DoesNotContain("nuget.org", first.StandardError.Replace(note, ""));
        Assert.Equal(["publish", "build"], Compiles().Select(c => c.Split(' ')[0]));
        Assert.Contains("host --target=Up", warm.StandardOutput);
        Assert.Equal(2, Compiles().Count);
    }

    [Fact]
    public async Task A_failed_ReadyToRun_precompilation_falls_back_to_a_plain_host()
    {
        var run = await RunAsync("GNU", ["--help"], new() { ["DOTNET_PUBLISH_FAILS"] = "precompile" });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("host --help", run.StandardOutput);
        var note = Assert.Single(run.StandardError.Split('\n'), line => line.Contains("without ReadyToRun"));
        Assert.Contains("NETSDK1096", note);
        Assert.Equal(["publish", "build"], Compiles().Select(c => c.Split(' ')[0]));
    }

    [Fact]
    public async Task A_compile_error_is_shown_once_without_falling_back_to_a_plain_build()
    {
        var run = await RunAsync("GNU", ["--help"], new() { ["DOTNET_PUBLISH_FAILS"] = "compile" });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error CS1002: ; expected", run.StandardError);
        Assert.Contains("the build host did not compile", run.StandardError);
        Assert.DoesNotContain("without ReadyToRun", run.StandardError);
        Assert.StartsWith("publish ", Assert.Single(Compiles()));
        Assert.DoesNotContain("host --help", run.StandardOutput);
    }

    List<string> Compiles() => File.Exists(Log) ? File.ReadAllLines(Log).Where(l => l.Length > 0).ToList() : [];

    Task<ChildResult> RunAsync(string tools, params string[] arguments) => RunAsync(tools, arguments, []);

    Task<ChildResult> RunAsync(string tools, string[] arguments, Dictionary<string, string> environment)
    {
        var bsd = Path.Combine(RepoRoot.Path, "tests", "standins", "bsd");
        var path = $"{Path.Combine(_root, "stubs")}:/usr/bin:/bin";
        if (tools == "BSD find, GNU stat")
        {
            bsd = Directory.CreateDirectory(Path.Combine(_root, "bsd-find-only")).FullName;
            var find = Path.Combine(bsd, "find");
            if (!File.Exists(find)) File.CreateSymbolicLink(find, Path.Combine(RepoRoot.Path, "tests", "standins", "bsd", "find"));
        }
        environment["PATH"] = tools.StartsWith("BSD", StringComparison.Ordinal) ? $"{bsd}:{path}" : path;
        environment["HOME"] = _root;
        environment["DOTNET_LOG"] = Log;
        return ChildProcess.RunAsync("bash", [Path.Combine(_root, "build.sh"), .. arguments], _root, environment);
    }
}
