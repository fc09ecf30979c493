using DataPlatform.Build.Process;
using DataPlatform.Build.Toolchain;
using Spectre.Console;

namespace DataPlatform.Build.Tests.Toolchain;

/// <summary>The repository's own files, found from the test binary's folder.</summary>
static class Repo
{
    public static readonly string Root = Find();

    public static ToolPins Pins => ToolPins.Load(Path.Combine(Root, ToolPins.FileName));

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "tools.yaml")) && File.Exists(Path.Combine(dir.FullName, "build.sh"))) return dir.FullName;
        throw new InvalidOperationException("repository root (tools.yaml + build.sh) not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// A throwaway project root plus a machine description (PATH, mirror) handed to the installer. The installer runs the
/// stand-in scripts through the real process runner; the test process's own PATH is never touched.
/// </summary>
sealed class InstallerScenario : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("ensure-tools-").FullName;
    public string ToolsDirectory => Path.Combine(Root, ".tools", "bin");
    public string PluginsDirectory => Path.Combine(Root, ".tools", "helm-plugins");
    /// <summary>The user's own tools folder; empty unless a test installs a stand-in there.</summary>
    public string UserBin => Path.Combine(Root, "user-bin");
    public StringWriter Output { get; } = new();
    public ToolPins Pins { get; } = Repo.Pins;
    public HostPlatform Platform { get; } = HostPlatform.Current();

    public ToolchainRequest Request(FixtureMirror mirror, bool plan = false) =>
        new(ToolsDirectory, PluginsDirectory, UserBin, mirror.BaseUrl, Platform, "kind-data-platform", plan);

    public async Task<IReadOnlyList<ToolReport>> RunAsync(FixtureMirror mirror, bool plan = false)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(Output),
        });
        using var http = new HttpClient();
        var installer = new ToolInstaller(new CliToolRunner(console, SecretMask.None, echoQueries: false), console, http);
        return await installer.EnsureAsync(Pins, Request(mirror, plan), CancellationToken.None);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
