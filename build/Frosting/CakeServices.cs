using Cake.Cli;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Tooling;
using Spectre.Console;

namespace DataPlatform.Build.Frosting;

/// <summary>
/// Cake's engine, its context and what its script hosts take, composed by hand from the classes Cake.Core's
/// CoreModule registers (Cake.Core/Modules/CoreModule.cs): one instance of each, shared as its container shared them.
/// A dependency-injection container did the same at every start, for about 50 ms of reflection over a graph that is
/// small and never changes. Also what a test uses to build a real context.
/// </summary>
internal sealed record CakeServices(ICakeEngine Engine, ICakeContext Context, ICakeLog Log, IConsole Console,
    IExecutionStrategy ExecutionStrategy, ICakeReportPrinter ReportPrinter, ICakeConfiguration Configuration)
{
    public static CakeServices Create(CommandLine commandLine)
    {
        var fileSystem = new FileSystem();
        var environment = new CakeEnvironment(new CakePlatform(), new CakeRuntime());
        var console = new CakeConsole(environment);
        var log = new CakeBuildLog(console, commandLine.Get(OptionTable.Verbosity));
        var configuration = new CakeConfiguration(new Dictionary<string, string>());
        var globber = new Globber(fileSystem, environment);
        var tools = new ToolLocator(environment, new ToolRepository(environment), new ToolResolutionStrategy(fileSystem, environment, globber, configuration, log));
        var data = new CakeDataService();
        var context = new CakeContext(fileSystem, environment, globber, log, commandLine.CakeArguments,
            new ProcessRunner(fileSystem, environment, log, tools, configuration), new WindowsRegistry(), tools, data, configuration,
            new ToolInstaller(environment, tools, configuration, log, []), NoServices.Instance);
        var reportPrinter = new CakeSpectreReportPrinter(AnsiConsole.Console);
        return new(new CakeEngine(data, log), context, log, console,
            new DefaultExecutionStrategy(log, reportPrinter), reportPrinter, configuration);
    }

    /// <summary>The context's service provider: the host's tasks take what they need from the context itself, never from it.</summary>
    sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();
        public object? GetService(Type serviceType) => null;
    }
}
