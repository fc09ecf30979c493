using DataPlatform.Build;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Services;
using DataPlatform.Build.Verification;
using Spectre.Console;

return await new FrostingHost<BuildContext>
{
    DefaultTarget = "Up",
    CreateContext = (cake, arguments) => new BuildContext(cake, arguments),
    PrintHelp = Help.Print,
    DescribeFailure = Failures.Describe,
    // A run given --report leaves a report on every way out, not only when Verify reaches its verdict.
    OnFailure = (arguments, context, reason) =>
        VerifyReport.WriteAfterFailedRun(arguments.Arguments.GetArguments("report").LastOrDefault(), context, reason),
}.RunAsync(args);

static class Failures
{
    /// <summary>The failures a person can act on, as one message each; anything else is a bug and keeps its stack trace.</summary>
    public static string? Describe(Exception e) => e switch
    {
        BuildFailure or ConfigFileException or ToolNotFoundException or HostUsageException => e.Message,
        ToolFailedException tool =>
            $"{tool.Command.Program} failed (exit code {tool.Result.ExitCode}).{Environment.NewLine}" +
            $"  command: {tool.Command.Display}{Environment.NewLine}" +
            $"  last output:{Environment.NewLine}{tool.StandardErrorTail()}{Environment.NewLine}" +
            "  next: fix the cause above and run the same target again; add --verbosity=diagnostic for details.",
        OperationCanceledException => "Stopped (Ctrl+C). Run the same target again to carry on: every step is safe to repeat.",
        _ => null,
    };
}

static class Help
{
    public static void Print(IAnsiConsole console, IReadOnlyList<Cake.Core.CakeTask> tasks)
    {
        console.MarkupLine("[bold]./build.sh[/] [[--target=<Target>]] [[options]]");
        console.WriteLine();
        var targets = new Table().AddColumns("Target", "What it does").Border(TableBorder.Simple);
        foreach (var task in tasks) targets.AddRow(Markup.Escape(task.Name), Markup.Escape(task.Description ?? ""));
        console.Write(targets);
        var options = new Table().AddColumns("Option", "Meaning").Border(TableBorder.Simple);
        foreach (var (option, meaning) in new[]
        {
            ("--target=<name>", "the target to run (default: Up)"),
            ("--exclusive", "run only the target, not its dependencies"),
            ("--plan", "run read-only queries, print the commands that would change something"),
            ("--dryrun", "list the tasks that would run, run nothing"),
            ("--tree", "show the task graph"),
            ("--description", "list the targets with their descriptions"),
            ("--verbosity=<level>", "quiet, minimal, normal, verbose (echo queries too) or diagnostic (stack traces)"),
            ("--helmfile-attempts=<n>", "attempts for helmfile apply when failures look transient (default 4)"),
            ("--retry-delay=<seconds>", "first backoff delay between those attempts, doubling up to 60 s (default 15)"),
            ("--timeout=<seconds>", "how long Verify waits for the platform (default 600)"),
            ("--report=<path>", "Verify: write a JUnit XML report (JSON if the path ends in .json)"),
            ("--hosts-file=<path>", "PrintHosts: write the lines into a marked block of that file"),
        })
            options.AddRow(Markup.Escape(option), Markup.Escape(meaning));
        console.Write(options);
    }
}
