using Cake.Core.Diagnostics;
using DataPlatform.Build;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Verify;
using Spectre.Console;

if (AsciiTerminal.IsWanted(Environment.GetEnvironmentVariable)) AsciiTerminal.Use();
var console = AnsiConsole.Console;
using var lifetime = new BuildLifetime(console);
BuildContext? built = null;
var exitCode = await new FrostingHost<BuildContext>
{
    DefaultTarget = OptionTable.Target.Default,
    Tasks = TaskCatalog.All,
    CreateContext = (cake, commandLine) => built = Create(cake, commandLine),
    Lifetime = lifetime,
    PrintHelp = Help.Print,
    // Doctor's memory row, when it ran: a tool the kernel killed is most often out of memory.
    DescribeFailure = failure => Failures.Describe(failure, lifetime.StoppedBy, built?.DoctorFindings?.Checks.FirstOrDefault(c => c.Name == DataPlatform.Build.Doctor.DoctorChecks.MemoryCheck)?.Detail),
    Redact = (context, message) => context.Mask.Apply(message),
    // A run given --report leaves a report on every way out, not only when Verify reaches its verdict.
    OnFailure = (arguments, context, reason) =>
        VerifyReport.WriteAfterFailedRun(arguments.Get(OptionTable.Report), context, reason),
}.RunAsync(args);
// A run that changed something or failed went another way than a warm no-op: the next run prefers another's JIT profile.
if (exitCode != 0 || built?.Runner.RanMutatingCommand == true) JitProfile.MarkNotWarm();
return lifetime.ExitCodeOf(exitCode);

BuildContext Create(Cake.Core.ICakeContext cake, CommandLine commandLine)
{
    var options = BuildOptions.From(commandLine);
    var echoQueries = commandLine.Get(OptionTable.Verbosity) >= Verbosity.Verbose;
    return new BuildContext(cake, options, Clone.Root(), console, mask =>
    {
        IToolRunner runner = new CliToolRunner(console, mask, echoQueries);
        return options.Plan ? new PlanningRunner(runner, console, mask) : runner;
    }, lifetime.Stopping);
}

static class Clone
{
    /// <summary>build.sh says where the clone is; otherwise the nearest folder above holding kind-config.yaml.</summary>
    public static string Root()
    {
        if (Environment.GetEnvironmentVariable("DATA_PLATFORM_ROOT") is { Length: > 0 } root) return Path.GetFullPath(root);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "kind-config.yaml"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}

static class Failures
{
    /// <summary>The failures a person can act on, as one message each; anything else is a bug and keeps its stack trace.</summary>
    /// <param name="stoppedBy">What stopped the run early (Ctrl+C, SIGTERM), when something did.</param>
    /// <param name="memory">What Doctor measured of the engine's memory, when it ran.</param>
    public static string? Describe(Exception e, string? stoppedBy = null, string? memory = null) => e switch
    {
        BuildFailure or ConfigFileException or ToolNotFoundException => e.Message,
        // 128 + the signal: the kernel's OOM killer and a container's memory limit send SIGKILL; SIGTERM comes from outside.
        ToolFailedException { Result.ExitCode: 137 or 143 } tool when stoppedBy is null =>
            $"{tool.Command.Program} was killed ({(tool.Result.ExitCode == 137 ? "SIGKILL" : "SIGTERM")}, exit code {tool.Result.ExitCode}): out of memory?{Environment.NewLine}" +
            $"  command: {tool.Command.Display}{Environment.NewLine}" +
            $"  memory: {memory ?? "not measured in this run (./build.sh --target=Doctor measures it)"}{Environment.NewLine}" +
            $"  last output:{Environment.NewLine}{tool.StandardErrorTail()}{Environment.NewLine}" +
            "  next: check `dmesg | grep -i oom` (or Docker Desktop's memory setting), free memory or give Docker more, then run the same target again.",
        ToolFailedException tool =>
            $"{tool.Command.Program} failed (exit code {tool.Result.ExitCode}).{Environment.NewLine}" +
            $"  command: {tool.Command.Display}{Environment.NewLine}" +
            $"  last output:{Environment.NewLine}{tool.StandardErrorTail()}{Environment.NewLine}" +
            "  next: fix the cause above and run the same target again; add --verbosity=diagnostic for details.",
        // The runner's message names the command it stopped (with everything it started); other waits just end.
        OperationCanceledException => $"Stopped ({stoppedBy ?? "Ctrl+C"})" +
            (e.Message.EndsWith(CliToolRunner.InterruptedSuffix, StringComparison.Ordinal) ? $": {e.Message}" : ".") +
            " Run the same target again to carry on: every step is safe to repeat.",
        _ => null,
    };
}

static class Help
{
    /// <summary>The targets in the order Up runs them, then the options from <see cref="OptionTable"/>.</summary>
    public static void Print(IAnsiConsole console, IReadOnlyList<Cake.Core.CakeTask> tasks)
    {
        console.MarkupLine("[bold]./build.sh[/] [[--target=<Target>]] [[options]]");
        console.WriteLine();
        var targets = new Table().AddColumns("Target", "What it does").Border(TableBorder.Simple);
        foreach (var task in tasks) targets.AddRow(Markup.Escape(task.Name), Markup.Escape(task.Description ?? ""));
        console.Write(targets);
        var options = new Table().AddColumns("Option", "Meaning").Border(TableBorder.Simple);
        foreach (var option in OptionTable.All)
            options.AddRow(Markup.Escape(string.Join(", ", option.Spellings)),
                Markup.Escape(option.Description));
        console.Write(options);
        console.WriteLine("Exit codes: 0 success, 1 failure, 2 command-line mistake (nothing was run), 143 stopped by SIGTERM (129 by SIGHUP).");
    }
}
