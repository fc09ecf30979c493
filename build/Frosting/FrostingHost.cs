using System.Reflection;
using Cake.Cli;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.Graph;
using Cake.Core.Scripting;
using Spectre.Console;

namespace DataPlatform.Build.Frosting;

/// <summary>
/// A small stand-in for Cake.Frosting's CakeHost, built from the pieces Cake.Tool 7 ships (Cake.Core's engine,
/// Cake.Cli's script hosts and report printer). It parses the command line against <see cref="OptionTable"/>,
/// discovers the task classes, runs the lifetime around the tasks and picks the script host for the requested mode.
/// Everything domain-specific stays in the context, the lifetime and the services.
/// </summary>
internal sealed class FrostingHost<TContext> where TContext : IFrostingContext
{
    public required string DefaultTarget { get; init; }
    /// <summary>The task classes to register (Cake.Frosting scans the assembly for them; a list costs nothing at start).</summary>
    public required IReadOnlyList<Type> Tasks { get; init; }
    public required Func<ICakeContext, CommandLine, TContext> CreateContext { get; init; }
    public required IFrostingLifetime<TContext> Lifetime { get; init; }
    public required Action<IAnsiConsole, IReadOnlyList<CakeTask>> PrintHelp { get; init; }
    /// <summary>Turns an expected failure into the lines a person reads; null means "unexpected, show the exception".</summary>
    public required Func<Exception, string?> DescribeFailure { get; init; }
    /// <summary>Called once when a run fails, after the failure is printed: the context if it was built, and the message shown.</summary>
    public Action<CommandLine, TContext?, string>? OnFailure { get; init; }
    /// <summary>Hides what must never be printed (secrets) in a failure's message, once the context exists.</summary>
    public Func<TContext, string, string> Redact { get; init; } = (_, message) => message;

    enum Mode { Run, DryRun, Tree, Description, Help, Version }

    /// <summary>Runs the build and returns the exit code the README promises, whatever happens (a bug included).</summary>
    public async Task<int> RunAsync(string[] args)
    {
        try { return await RunOrThrowAsync(args); }
        catch (Exception e)
        {
            // Not an expected failure (those are handled below): show everything, it is a bug to report.
            AnsiConsole.Console.WriteException(e, ExceptionFormats.ShortenPaths);
            return ExitCode.Failure;
        }
    }

    async Task<int> RunOrThrowAsync(string[] args)
    {
        var console = AnsiConsole.Console;
        CommandLine commandLine;
        try { commandLine = CommandLine.Parse(args, OptionTable.All); }
        catch (CommandLineException e) { return CommandLineMistake(e.Problems); }

        var mode = commandLine.Get(OptionTable.Help) ? Mode.Help
            : commandLine.Get(OptionTable.Version) ? Mode.Version
            : commandLine.Get(OptionTable.Tree) ? Mode.Tree
            : commandLine.Get(OptionTable.Description) ? Mode.Description
            : commandLine.Get(OptionTable.DryRun) ? Mode.DryRun
            : Mode.Run;
        var verbosity = commandLine.Get(OptionTable.Verbosity);

        var services = CakeServices.Create(commandLine);
        var engine = services.Engine;
        TContext context;
        try
        {
            context = CreateContext(services.Context, commandLine);
        }
        catch (Exception e) when (DescribeFailure(e) is { } message)
        {
            WriteFailure(console, message);
            OnFailure?.Invoke(commandLine, default, message);
            return ExitCode.Failure;
        }
        // --verbosity=diagnostic: where a run's own time goes (start-up, setup, each step), to find the overhead.
        var timed = verbosity == Verbosity.Diagnostic;
        void Timing(string what, TimeSpan took) => console.MarkupLineInterpolated($"[grey]timing: {what} {took.TotalMilliseconds:0} ms[/]");
        if (timed) Timing("host start-up (process start to context)", DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime);
        RegisterTasks(engine, context, Tasks, timed ? Timing : null);

        if (mode == Mode.Help) { PrintHelp(console, InGraphOrder(engine, DefaultTarget)); return ExitCode.Success; }
        if (mode == Mode.Version)
        {
            console.WriteLine(typeof(FrostingHost<>).Assembly.GetName().Version?.ToString() ?? "dev");
            return ExitCode.Success;
        }

        var requested = commandLine.Get(OptionTable.Target);
        var names = engine.Tasks.Select(t => t.Name).ToList();
        if (names.FirstOrDefault(n => n.Equals(requested, StringComparison.OrdinalIgnoreCase)) is not { } target)
        {
            var closest = Suggestion.Closest(requested, names);
            return CommandLineMistake([$"unknown target '{requested}'{(closest is null ? "" : $": did you mean {closest}?")} Targets: {string.Join(", ", names)}."]);
        }
        if (mode == Mode.Run) JitProfile.Start(target);
        var exclusive = commandLine.Get(OptionTable.Exclusive);
        // Only a run that executes tasks reads the options; --tree, --dryrun and --description just describe the graph.
        if (mode == Mode.Run)
            foreach (var warning in commandLine.WithoutEffect(TasksToRun(engine, target, exclusive)))
                console.MarkupLineInterpolated($"[yellow]warning: {warning}[/]");

        ScriptHost host = mode switch
        {
            Mode.DryRun => new DryRunScriptHost<TContext>(engine, context, services.Log),
            Mode.Tree => new TreeScriptHost(engine, context, services.Console),
            Mode.Description => new DescriptionScriptHost(engine, context, console),
            _ => new BuildScriptHost<TContext>(engine, services.ExecutionStrategy, context,
                services.ReportPrinter, services.Configuration, services.Log),
        };
        if (exclusive) host.Settings.UseExclusiveTarget();

        var runsTasks = mode == Mode.Run;
        try
        {
            var setup = System.Diagnostics.Stopwatch.StartNew();
            if (runsTasks) await Lifetime.SetupAsync(context, TasksToRun(engine, target, exclusive));
            if (timed && runsTasks) Timing("setup (validation of the platform files, locks)", setup.Elapsed);
            await host.RunTargetAsync(target);
            return ExitCode.Success;
        }
        catch (Exception e)
        {
            var root = Unwrap(e);
            // The last line of defence: whatever a failure quotes (a tool's words, a value) goes through the secrets' mask.
            var message = DescribeFailure(root) is { } described ? Redact(context, described) : null;
            if (message is null || verbosity == Verbosity.Diagnostic)
                console.WriteException(root, ExceptionFormats.ShortenPaths);
            if (message is not null) WriteFailure(console, message);
            OnFailure?.Invoke(commandLine, context, message ?? root.Message);
            return root is ConfigurationRefusal ? ExitCode.CommandLineMistake : ExitCode.Failure;
        }
        finally
        {
            if (runsTasks) Lifetime.Teardown(context);
        }
    }

    /// <summary>Every mistake on one line each, on stderr, then where to read the usage.</summary>
    static int CommandLineMistake(IEnumerable<string> problems)
    {
        foreach (var problem in problems) Console.Error.WriteLine($"error: {problem}");
        Console.Error.WriteLine("Nothing was run. See ./build.sh --help for the targets and options.");
        return ExitCode.CommandLineMistake;
    }

    /// <summary>The tasks a run executes, in order: the target alone with --exclusive, otherwise it and its dependencies.</summary>
    public static IReadOnlyList<string> TasksToRun(ICakeEngine engine, string target, bool exclusive) =>
        exclusive ? [target] : CakeGraphBuilder.Build(engine.Tasks).Traverse(target).ToList();

    /// <summary>Cake wraps the task's exception (CakeReportException, AggregateException); the message to show is the task's own.</summary>
    static Exception Unwrap(Exception e)
    {
        while (e is CakeReportException or AggregateException && e.InnerException is not null) e = e.InnerException;
        return e;
    }

    static void WriteFailure(IAnsiConsole console, string message)
    {
        console.WriteLine();
        console.Write(new Markup("[red bold]✗ [/]"));
        console.WriteLine(message);
    }

    /// <summary>Registers the task classes, as Frosting does: name, description, dependencies and criteria.</summary>
    /// <param name="timing">Told each task's own duration when it ends (--verbosity=diagnostic).</param>
    public static void RegisterTasks(ICakeEngine engine, TContext context, IReadOnlyList<Type> tasks, Action<string, TimeSpan>? timing = null)
    {
        var taskTypes = tasks.OrderBy(t => t.Name, StringComparer.Ordinal);
        var pipeline = typeof(TContext).Assembly.GetCustomAttributes<TaskDependenciesAttribute>().ToList();
        foreach (var type in taskTypes)
        {
            var task = (FrostingTask<TContext>)Activator.CreateInstance(type)!;
            var name = NameOf(type);
            var builder = engine.RegisterTask(name)
                .Does(async () =>
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    await task.RunAsync(context);
                    timing?.Invoke($"step {name}", clock.Elapsed);
                })
                .WithCriteria(() => task.ShouldRun(context));
            if (type.GetCustomAttribute<TaskDescriptionAttribute>() is { } description) builder.Description(description.Description);
            foreach (var dependency in DependenciesOf(type, pipeline)) builder.IsDependentOn(NameOf(dependency));
        }
    }

    /// <summary>The tasks a task runs after, in order: its own <see cref="IsDependentOnAttribute"/>s, then what the assembly's <see cref="TaskDependenciesAttribute"/>s say of it.</summary>
    public static IReadOnlyList<Type> DependenciesOf(Type taskType) =>
        DependenciesOf(taskType, [.. taskType.Assembly.GetCustomAttributes<TaskDependenciesAttribute>()]);

    /// <param name="pipeline">The assembly's <see cref="TaskDependenciesAttribute"/>s, read once for every task (reading them costs reflection each time).</param>
    static IReadOnlyList<Type> DependenciesOf(Type taskType, IReadOnlyList<TaskDependenciesAttribute> pipeline) =>
        taskType.GetCustomAttributes<IsDependentOnAttribute>().Select(a => a.Task)
            .Concat(pipeline.Where(a => a.Task == taskType).SelectMany(a => a.Dependencies))
            .ToList();

    /// <summary>The default target's tasks in the order they run, then the others: the order a reader expects in --help.</summary>
    static IReadOnlyList<CakeTask> InGraphOrder(ICakeEngine engine, string target)
    {
        var order = CakeGraphBuilder.Build(engine.Tasks).Traverse(target).ToList();
        return engine.Tasks.Cast<CakeTask>().OrderBy(t => order.IndexOf(t.Name) is var i and >= 0 ? i : int.MaxValue).ToList();
    }

    public static string NameOf(Type taskType) => taskType.GetCustomAttribute<TaskNameAttribute>()?.Name ?? taskType.Name;
}
