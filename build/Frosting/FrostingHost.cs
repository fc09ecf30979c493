using System.Reflection;
using Cake.Cli;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.Modules;
using Cake.Core.Scripting;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace DataPlatform.Build.Frosting;

/// <summary>
/// A small stand-in for Cake.Frosting's CakeHost, built from the pieces Cake.Tool 7 ships (Cake.Core's engine,
/// Cake.Cli's script hosts and report printer). It discovers the task classes, registers them with the engine
/// and picks the script host for the requested mode. Everything domain-specific stays in the context.
/// </summary>
public sealed class FrostingHost<TContext> where TContext : ICakeContext
{
    public required string DefaultTarget { get; init; }
    public required Func<ICakeContext, HostArguments, TContext> CreateContext { get; init; }
    public required Action<IAnsiConsole, IReadOnlyList<CakeTask>> PrintHelp { get; init; }
    /// <summary>Turns an expected failure into the lines a person reads; null means "unexpected, show the exception".</summary>
    public required Func<Exception, string?> DescribeFailure { get; init; }
    /// <summary>Called once when a run fails, after the failure is printed: the context if it was built, and the message shown.</summary>
    public Action<HostArguments, TContext?, string>? OnFailure { get; init; }

    public async Task<int> RunAsync(string[] args)
    {
        var console = AnsiConsole.Console;
        HostArguments hostArgs;
        try { hostArgs = HostArguments.Parse(args, DefaultTarget); }
        catch (HostUsageException e)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message} (see ./build.sh --help)");
            return 2;
        }

        using var services = BuildServices(hostArgs);
        var log = services.GetRequiredService<ICakeLog>();
        var engine = services.GetRequiredService<ICakeEngine>();
        TContext context;
        try
        {
            context = CreateContext(services.GetRequiredService<ICakeContext>(), hostArgs);
        }
        catch (Exception e) when (DescribeFailure(e) is { } message)
        {
            WriteFailure(console, message);
            OnFailure?.Invoke(hostArgs, default, message);
            return 1;
        }
        RegisterTasks(engine, context);

        if (hostArgs.Mode == HostMode.Help) { PrintHelp(console, InGraphOrder(engine, DefaultTarget)); return 0; }
        if (hostArgs.Mode == HostMode.Version)
        {
            console.WriteLine(typeof(FrostingHost<>).Assembly.GetName().Version?.ToString() ?? "dev");
            return 0;
        }
        if (!engine.Tasks.Any(t => t.Name.Equals(hostArgs.Target, StringComparison.OrdinalIgnoreCase)))
        {
            var unknown = $"unknown target '{hostArgs.Target}'. Targets: {string.Join(", ", engine.Tasks.Select(t => t.Name))}";
            console.MarkupLineInterpolated($"[red]error:[/] {unknown}");
            OnFailure?.Invoke(hostArgs, context, unknown);
            return 2;
        }

        ScriptHost host = hostArgs.Mode switch
        {
            HostMode.DryRun => new DryRunScriptHost<TContext>(engine, context, log),
            HostMode.Tree => new TreeScriptHost(engine, context, services.GetRequiredService<IConsole>()),
            HostMode.Description => new DescriptionScriptHost(engine, context, console),
            _ => new BuildScriptHost<TContext>(engine, services.GetRequiredService<IExecutionStrategy>(), context,
                new CakeSpectreReportPrinter(console), services.GetRequiredService<ICakeConfiguration>(), log),
        };
        if (hostArgs.Exclusive) host.Settings.UseExclusiveTarget();

        try
        {
            await host.RunTargetAsync(hostArgs.Target);
            return 0;
        }
        catch (Exception e)
        {
            var root = Unwrap(e);
            var message = DescribeFailure(root);
            if (message is null || hostArgs.Verbosity == Verbosity.Diagnostic)
                console.WriteException(root, ExceptionFormats.ShortenPaths);
            if (message is not null) WriteFailure(console, message);
            OnFailure?.Invoke(hostArgs, context, message ?? root.Message);
            return 1;
        }
    }

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

    static ServiceProvider BuildServices(HostArguments hostArgs)
    {
        var services = new ServiceCollection();
        services.UseModule(new CoreModule());
        services.AddSingleton(hostArgs.Arguments);
        services.AddSingleton<IConsole, CakeConsole>();
        services.AddSingleton<ICakeLog>(sp => new CakeBuildLog(sp.GetRequiredService<IConsole>(), hostArgs.Verbosity));
        services.AddSingleton<ICakeConfiguration>(new CakeConfiguration(new Dictionary<string, string>()));
        services.AddSingleton<ICakeReportPrinter>(new CakeSpectreReportPrinter(AnsiConsole.Console));
        return services.BuildServiceProvider();
    }

    /// <summary>Registers every task class of TContext's assembly, as Frosting does: name, description, dependencies, criteria and handlers.</summary>
    public static void RegisterTasks(ICakeEngine engine, TContext context)
    {
        var taskTypes = typeof(TContext).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(FrostingTask<TContext>).IsAssignableFrom(t))
            .OrderBy(t => t.Name, StringComparer.Ordinal);
        foreach (var type in taskTypes)
        {
            var task = (FrostingTask<TContext>)Activator.CreateInstance(type)!;
            var builder = engine.RegisterTask(NameOf(type))
                .Does(() => task.RunAsync(context))
                .WithCriteria(() => task.ShouldRun(context));
            if (type.GetCustomAttribute<TaskDescriptionAttribute>() is { } description) builder.Description(description.Description);
            foreach (var dependency in type.GetCustomAttributes<IsDependentOnAttribute>()) builder.IsDependentOn(NameOf(dependency.Task));
            // Like Frosting: a handler is registered only when the task overrides it, because Cake treats a registered
            // error handler as "handled" and would carry on.
            if (Overrides(type, nameof(FrostingTask<TContext>.OnError))) builder.OnError(e => task.OnError(e, context));
            if (Overrides(type, nameof(FrostingTask<TContext>.Finally))) builder.Finally(() => task.Finally(context));
        }
    }

    /// <summary>The default target's tasks in the order they run, then the others: the order a reader expects in --help.</summary>
    static IReadOnlyList<CakeTask> InGraphOrder(ICakeEngine engine, string target)
    {
        var order = Cake.Core.Graph.CakeGraphBuilder.Build(engine.Tasks).Traverse(target).ToList();
        return engine.Tasks.Cast<CakeTask>().OrderBy(t => order.IndexOf(t.Name) is var i and >= 0 ? i : int.MaxValue).ToList();
    }

    public static string NameOf(Type taskType) => taskType.GetCustomAttribute<TaskNameAttribute>()?.Name ?? taskType.Name;

    static bool Overrides(Type type, string method) =>
        type.GetMethod(method, BindingFlags.Public | BindingFlags.Instance)?.DeclaringType != typeof(FrostingTask<TContext>);
}
