using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.BuildHost;

/// <summary>
/// bench/real-up.sh is meant to run on a Mac too. Its timing and bookkeeping run here against a stand-in docker (it
/// answers `docker info` and lists one node container, so the cluster exists) and a stand-in ./build.sh that succeeds,
/// with tests/standins/bsd first on PATH for macOS's date (no %N).
/// </summary>
public sealed class RealUpScriptTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("real-up-").FullName;

    public RealUpScriptTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "bench"));
        File.Copy(RepoRoot.File("bench/real-up.sh"), Path.Combine(_root, "bench", "real-up.sh"));
        File.Copy(RepoRoot.File("kind-config.yaml"), Path.Combine(_root, "kind-config.yaml"));
        var stubs = Directory.CreateDirectory(Path.Combine(_root, "stubs")).FullName;
        Script(Path.Combine(stubs, "docker"), "#!/bin/sh\n[ \"$1\" = ps ] && echo 0123456789ab\nexit 0\n");
        Script(Path.Combine(_root, "build.sh"), "#!/bin/sh\necho \"build $*\"\n");
    }

    static void Script(string path, string text)
    {
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("GNU")]
    [InlineData("BSD")] // macOS: `date +%s%N` prints the seconds and a literal N
    public async Task A_warm_only_run_times_the_Up_and_reports_it(string tools)
    {
        var bsd = Path.Combine(RepoRoot.Path, "tests", "standins", "bsd");
        var path = $"{Path.Combine(_root, "stubs")}:/usr/bin:/bin";
        var run = await ChildProcess.RunAsync("bash", [Path.Combine(_root, "bench", "real-up.sh"), "--warm-only"], _root, new Dictionary<string, string>
        {
            ["PATH"] = tools == "BSD" ? $"{bsd}:{path}" : path,
            ["HOME"] = _root,
            ["TMPDIR"] = _root,
        });

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("build --target=Up", run.StandardOutput);
        Assert.Matches(@"=== warm Up \(nothing changed\): \d+\.\d s", run.StandardOutput);
    }
}
