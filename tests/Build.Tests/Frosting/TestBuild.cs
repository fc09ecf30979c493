using Cake.Core;
using Cake.Core.Graph;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tests.Process;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.Frosting;

/// <summary>
/// A real <see cref="BuildContext"/> over a throw-away clone holding the fixture platform files, with an in-process
/// runner (no process starts) and Cake's own engine and context, as the host builds them.
/// </summary>
sealed class TestBuild : IDisposable
{
    public TestBuild(params string[] args) : this(_ => null, args) { }

    /// <param name="environment">The process environment the context sees (KUBECONFIG, HELM_DRIVER, ...).</param>
    public TestBuild(Func<string, string?> environment, params string[] args)
    {
        Root = Directory.CreateTempSubdirectory("data-platform-context-").FullName;
        FixturePlatform.WriteTo(Root);
        var commandLine = CommandLine.Parse(args, OptionTable.All);
        var services = CakeServices.Create(commandLine);
        var options = BuildOptions.From(commandLine);
        Context = new BuildContext(services.Context, options, Root, Console,
            mask => options.Plan ? new PlanningRunner(Runner, Console, mask) : Runner,
            CancellationToken.None, environment);
        Engine = services.Engine;
        FrostingHost<BuildContext>.RegisterTasks(Engine, Context, TaskCatalog.All);
    }

    public string Root { get; }
    public TestConsole Console { get; } = new();
    public RecordingRunner Runner { get; } = new();
    public BuildContext Context { get; }
    public ICakeEngine Engine { get; }

    public IReadOnlyList<string> Plan(string target) => CakeGraphBuilder.Build(Engine.Tasks).Traverse(target).ToList();

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
