using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.BuildHost;

/// <summary>
/// ./build.sh's warm start: it compiles the host only when build/ changed or the compiled files are damaged. A
/// stand-in dotnet "compiles" by writing a host script (a real compile is what the end-to-end tests pay for once), and
/// on macOS's tools: tests/standins/bsd holds stand-ins for BSD find (no -printf) and BSD stat (-f formats), put first
/// on PATH, so the script's macOS path is run here too.
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
        // dotnet build ... -o <out> ...: records its arguments, then leaves a host that echoes its own, and a library.
        var dotnet = Path.Combine(stubs, "dotnet");
        File.WriteAllText(dotnet, """
            #!/bin/bash
            echo "$*" >> "$DOTNET_LOG"
            while [[ $# -gt 0 && "$1" != "-o" ]]; do shift; done
            printf '#!/bin/sh\necho "host $*"\n' > "$2/build" && chmod +x "$2/build"
            printf 'compiled library' > "$2/build.dll"
            """.Replace("\r", ""));
        File.SetUnixFileMode(dotnet, (UnixFileMode)0b111_101_101);
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
    public async Task A_damaged_compiled_host_is_rebuilt_from_scratch(string tools)
    {
        await RunAsync(tools, "--help");
        File.WriteAllText(CompiledLibrary, "trunc");

        var repaired = await RunAsync(tools, "--help");

        Assert.True(repaired.ExitCode == 0, repaired.Output);
        Assert.Contains("damaged or incomplete", repaired.StandardError);
        Assert.Contains("--no-incremental", Compiles()[^1]);
        Assert.Equal("compiled library", File.ReadAllText(CompiledLibrary));
    }

    List<string> Compiles() => File.Exists(Log) ? File.ReadAllLines(Log).Where(l => l.Length > 0).ToList() : [];

    Task<ChildResult> RunAsync(string tools, params string[] arguments)
    {
        var bsd = Path.Combine(RepoRoot.Path, "tests", "standins", "bsd");
        var path = $"{Path.Combine(_root, "stubs")}:/usr/bin:/bin";
        if (tools == "BSD find, GNU stat")
        {
            bsd = Directory.CreateDirectory(Path.Combine(_root, "bsd-find-only")).FullName;
            var find = Path.Combine(bsd, "find");
            if (!File.Exists(find)) File.CreateSymbolicLink(find, Path.Combine(RepoRoot.Path, "tests", "standins", "bsd", "find"));
        }
        return ChildProcess.RunAsync("bash", [Path.Combine(_root, "build.sh"), .. arguments], _root, new Dictionary<string, string>
        {
            ["PATH"] = tools.StartsWith("BSD", StringComparison.Ordinal) ? $"{bsd}:{path}" : path,
            ["HOME"] = _root,
            ["DOTNET_LOG"] = Log,
        });
    }
}
