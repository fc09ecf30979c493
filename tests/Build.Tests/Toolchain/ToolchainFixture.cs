using DataPlatform.Build.Process;
using DataPlatform.Build.Toolchain;
using Spectre.Console;

namespace DataPlatform.Build.Tests.Toolchain;

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
    public ToolPins Pins { get; } = RepositoryPins;
    /// <summary>The pins in the repository's own tools.yaml.</summary>
    public static ToolPins RepositoryPins => ToolPins.Load(Tests.Platform.RepoRoot.File(ToolPins.FileName));
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
