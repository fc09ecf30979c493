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
            return 1;
        }
        RegisterTasks(engine, context);

        if (hostArgs.Mode == HostMode.Help) { PrintHelp(console, engine.Tasks.Cast<CakeTask>().ToList()); return 0; }
        if (hostArgs.Mode == HostMode.Version)
        {
            console.WriteLine(typeof(FrostingHost<>).Assembly.GetName().Version?.ToString() ?? "dev");
            return 0;
        }
        if (!engine.Tasks.Any(t => t.Name.Equals(hostArgs.Target, StringComparison.OrdinalIgnoreCase)))
        {
            console.MarkupLineInterpolated($"[red]error:[/] unknown target '{hostArgs.Target}'. Targets: {string.Join(", ", engine.Tasks.Select(t => t.Name))}");
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
            return 1;
        }
    }

    /// <summary>Cake 7's engine wraps a task's exception in a CakeReportException (the report rides along): describe the cause.</summary>
    static Exception Unwrap(Exception e)
    {
        while (e.InnerException is { } inner && e is CakeReportException or AggregateException { InnerExceptions.Count: 1 })
            e = inner;
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
    static void RegisterTasks(ICakeEngine engine, TContext context)
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

    public static string NameOf(Type taskType) => taskType.GetCustomAttribute<TaskNameAttribute>()?.Name ?? taskType.Name;

    static bool Overrides(Type type, string method) =>
        type.GetMethod(method, BindingFlags.Public | BindingFlags.Instance)?.DeclaringType != typeof(FrostingTask<TContext>);
}
