namespace DataPlatform.Build.Tests.EndToEnd;

[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<CompiledBuildRoot>
{
    public const string Name = "End to end: ./build.sh against stand-in tools";
}

/// <summary>
/// A throw-away repository root holding a copy of build.sh and build/ plus small fixture platform files, compiled
/// once for the whole end-to-end run (compiling costs far more than every test together). Tests share it and vary
/// only what lives outside it: HOME, KUBECONFIG and the stand-ins' scenario state.
/// </summary>
public sealed class CompiledBuildRoot : IAsyncLifetime
{
    readonly Action<string>? _beforeCompile;

    public CompiledBuildRoot() : this(null) { }

    /// <param name="beforeCompile">Changes the copied sources and fixture files (given the root) before the one compile,
    /// e.g. the RealDockerd tests' image pins pointing at their loopback registry.</param>
    internal CompiledBuildRoot(Action<string>? beforeCompile)
    {
        _beforeCompile = beforeCompile;
        RepositoryRoot = Platform.RepoRoot.Path;
        Root = Directory.CreateTempSubdirectory("data-platform-e2e-").FullName;
        StandinsDirectory = Path.Combine(RepositoryRoot, "tests", "standins");
        DotnetDirectory = FindDotnetDirectory();
    }

    /// <summary>The real clone these tests run from.</summary>
    public string RepositoryRoot { get; }
    /// <summary>The fixture root: what ./build.sh sees as its repository (DATA_PLATFORM_ROOT).</summary>
    public string Root { get; }
    public string StandinsDirectory { get; }
    public string DotnetDirectory { get; }
    public string BuildScript => Path.Combine(Root, "build.sh");

    public async Task InitializeAsync()
    {
        await RequirePythonWithYamlAsync();
        foreach (var file in new[] { "build.sh", "global.json", "Directory.Build.props", "tools.yaml" })
            File.Copy(Path.Combine(RepositoryRoot, file), Path.Combine(Root, file));
        CopySources(Path.Combine(RepositoryRoot, "build"), Path.Combine(Root, "build"));
        FixturePlatform.WriteTo(Root);
        _beforeCompile?.Invoke(Root);
        InstallStandInHelmDiff();

        // The one compile: ./build.sh --help builds the host into .artifacts/build; every test then starts it warm.
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = $"{DotnetDirectory}:/usr/bin:/bin",
            ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "/root",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            // No MSBuild node or compiler server may outlive the compile: they would hold the output pipes open.
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["UseSharedCompilation"] = "false",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        };
        foreach (var name in new[] { "NUGET_PACKAGES", "DOTNET_ROOT", "NUGET_HTTP_CACHE_PATH" })
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) environment[name] = value;
        var result = await ChildProcess.RunAsync("bash", [BuildScript, "--help"], Root, environment);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"./build.sh --help (the compile) failed with exit code {result.ExitCode}:\n{result.Output}");
    }

    /// <summary>
    /// The stand-ins are python3 scripts that read YAML (kubeconfig, kind-config.yaml, helmfile.yaml, tools.yaml).
    /// Without PyYAML every stand-in call would fail and each test would report a confusing build failure instead.
    /// </summary>
    static async Task RequirePythonWithYamlAsync()
    {
        ChildResult check;
        try
        {
            check = await ChildProcess.RunAsync("python3", ["-c", "import yaml"], Path.GetTempPath(), new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" });
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"The end-to-end tests need python3 for the stand-in tools (tests/standins), and it did not start: {e.Message}. " +
                "Run ./test.sh, which installs it, or: sudo apt-get install python3 python3-yaml", e);
        }
        if (check.ExitCode != 0)
            throw new InvalidOperationException("The end-to-end tests' stand-in tools (tests/standins) need python3 with PyYAML, and `python3 -c \"import yaml\"` failed:\n" +
                check.Output + "Run ./test.sh, which installs it, or: sudo apt-get install python3-yaml (elsewhere: pip install pyyaml)");
    }

    /// <summary>
    /// A stand-in for the helm-diff plugin, where EnsureTools keeps it (.tools/helm-plugins/diff) and at the pinned version,
    /// so EnsureTools finds it cached instead of downloading it (there is no internet here).
    /// </summary>
    void InstallStandInHelmDiff()
    {
        var pin = File.ReadLines(Path.Combine(Root, "tools.yaml")).SkipWhile(l => !l.StartsWith("helm-diff:"))
            .First(l => l.TrimStart().StartsWith("version:")).Split(':', 2)[1].Trim();
        var plugin = Path.Combine(Root, ".tools", "helm-plugins", "diff");
        Directory.CreateDirectory(Path.Combine(plugin, "bin"));
        File.WriteAllText(Path.Combine(plugin, "plugin.yaml"), $"name: diff\nversion: {pin.TrimStart('v')}\n");
        File.WriteAllText(Path.Combine(plugin, "bin", "diff"), "#!/bin/sh\necho stand-in helm-diff\n");
        File.SetUnixFileMode(Path.Combine(plugin, "bin", "diff"), (UnixFileMode)0b111_101_101);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }

    static void CopySources(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var directory in Directory.EnumerateDirectories(from))
            if (Path.GetFileName(directory) is not ("bin" or "obj"))
                CopySources(directory, Path.Combine(to, Path.GetFileName(directory)));
    }

    /// <summary>build.sh only needs dotnet to compile; the test host runs under the same dotnet.</summary>
    static string FindDotnetDirectory()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
            return Path.GetDirectoryName(self)!;
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            if (File.Exists(Path.Combine(directory, "dotnet")))
                return Path.GetDirectoryName(Path.GetFullPath(new FileInfo(Path.Combine(directory, "dotnet")).ResolveLinkTarget(true)?.FullName ?? Path.Combine(directory, "dotnet")))!;
        throw new InvalidOperationException("dotnet was not found on PATH");
    }
}
