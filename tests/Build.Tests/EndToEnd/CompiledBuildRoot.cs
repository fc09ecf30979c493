namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// A throw-away repository root holding a copy of build.sh and build/ plus small fixture platform files, one per test
/// class (a class fixture: every end-to-end class is its own collection, and the classes run in parallel). Compiling
/// costs far more than every test together, so the host is compiled once per test run, in a template root no test runs
/// in, and each class's root is a copy whose compiled host is hard-linked from it. A class's tests share its root and
/// vary only what lives outside it (HOME, KUBECONFIG, the stand-ins' scenario state), so one class's run lock, edited
/// files and .tools/ never meet another's. A test that damages the compiled host itself takes a
/// <see cref="CaseRoot"/> with its own copy of it.
/// </summary>
public sealed class CompiledBuildRoot : IAsyncLifetime
{
    /// <summary>The template's name, with the test process's id after it: what is left of a run that has ended is found by it.</summary>
    const string TemplatePrefix = "data-platform-e2e-template-";

    /// <summary>
    /// The one compile of the run, shared by every class's copy. It outlives every class fixture, xunit 2 has no
    /// assembly fixture to dispose of it, and the test host may be ended without running its exit handlers, so each
    /// run also removes the templates of runs whose process is gone.
    /// </summary>
    static readonly Lazy<Task<CompiledBuildRoot>> Template = new(async () =>
    {
        RemoveTemplatesOfEndedRuns();
        var template = new CompiledBuildRoot(null, $"{TemplatePrefix}{Environment.ProcessId}-");
        await template.CompileAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => template.Delete();
        return template;
    });

    /// <summary>
    /// PYTHONPYCACHEPREFIX for the stand-ins. They are python3 scripts started thousands of times a run: without a bytecode
    /// cache each call compiled standin.py again, a good part of its start. Their bytecode (and, with a prefix, the
    /// standard library's too) is compiled once per test run into this directory, never into the clone
    /// (tests/standins/__pycache__). Named like the template, so a run that ended without removing it has it removed by the next.
    /// </summary>
    public static string PythonBytecodeDirectory { get; } = BytecodeDirectoryOfThisRun();

    static string BytecodeDirectoryOfThisRun()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"{TemplatePrefix}{Environment.ProcessId}-pycache");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteDirectory(directory);
        return directory;
    }

    readonly Action<string>? _beforeCompile;

    public CompiledBuildRoot() : this(null) { }

    /// <param name="beforeCompile">Changes the copied sources and fixture files (given the root) before a compile of
    /// its own, e.g. the RealDockerd tests' image pins pointing at their loopback registry; null copies the shared compile.</param>
    internal CompiledBuildRoot(Action<string>? beforeCompile) : this(beforeCompile, "data-platform-e2e-") { }

    CompiledBuildRoot(Action<string>? beforeCompile, string directoryPrefix)
    {
        _beforeCompile = beforeCompile;
        RepositoryRoot = Platform.RepoRoot.Path;
        Root = Directory.CreateTempSubdirectory(directoryPrefix).FullName;
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
        if (_beforeCompile is null) await CopyRootAsync((await Template.Value).Root, Root, copyBuildOutput: false);
        else await CompileAsync();
    }

    /// <summary>
    /// Copies a build root into an empty directory. `cp -a` keeps the sources' modification times, so build.sh's stamp
    /// still matches and it does not recompile; the compiled host is hard-linked (it is the bulk of the root) unless
    /// <paramref name="copyBuildOutput"/>. The source's run lock stays behind: the copy is another clone.
    /// </summary>
    /// <param name="withoutIntermediates">Leaves out build/bin and build/obj, the compile's intermediate output (45 MB,
    /// most of what a copy writes), which only a recompile in the copy reads: for a case's root that runs the linked host.</param>
    internal static async Task CopyRootAsync(string from, string to, bool copyBuildOutput, bool withoutIntermediates = false)
    {
        var environment = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" };
        // Few processes: a case's root is copied over a hundred times a run, and each cp costs more than the files it copies.
        var copy = await ChildProcess.RunAsync("bash", ["-c",
            "shopt -s dotglob extglob\n" +
            "cd \"$1\" && if [[ $2 == copy ]]; then cp -a -- * \"$4\"/; else\n" +
            "  if [[ $3 == without ]]; then cp -a -- !(.artifacts|build) \"$4\"/ && mkdir \"$4/build\" && cp -a -- build/!(bin|obj) \"$4/build\"/ && touch -r build \"$4/build\"\n" +
            "  else cp -a -- !(.artifacts) \"$4\"/; fi && { [[ ! -e .artifacts ]] || cp -al .artifacts \"$4\"/; }\n" +
            "fi && rm -f \"$4/.artifacts/run.lock\" \"$4/.artifacts/run.lock.owner\"",
            "copy-root", from, copyBuildOutput ? "copy" : "link", withoutIntermediates ? "without" : "with", to], from, environment);
        if (copy.ExitCode != 0) throw new InvalidOperationException($"copying the build root {from} failed:\n{copy.Output}");
    }

    async Task CompileAsync()
    {
        await RequirePythonWithYamlAsync();
        foreach (var file in new[] { "build.sh", "global.json", "Directory.Build.props", "tools.yaml" })
            File.Copy(Path.Combine(RepositoryRoot, file), Path.Combine(Root, file));
        CopySources(Path.Combine(RepositoryRoot, "build"), Path.Combine(Root, "build"));
        FixturePlatform.WriteTo(Root);
        _beforeCompile?.Invoke(Root);
        InstallStandInHelmDiff();

        // The compile: ./build.sh --help builds the host into .artifacts/build; every test then starts it warm.
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
        Delete();
        return Task.CompletedTask;
    }

    void Delete() => DeleteDirectory(Root);

    static void DeleteDirectory(string path)
    {
        try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static void RemoveTemplatesOfEndedRuns()
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), TemplatePrefix + "*"))
        {
            var owner = Path.GetFileName(directory)[TemplatePrefix.Length..].Split('-')[0];
            if (int.TryParse(owner, out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
                DeleteDirectory(directory);
        }
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
