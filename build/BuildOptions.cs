using Cake.Core.Diagnostics;
using DataPlatform.Build.Deploy;
using DataPlatform.Build.Frosting;

namespace DataPlatform.Build;

/// <summary>
/// Every option of ./build.sh, Cake's switches included, declared once. This table drives parsing, the checks,
/// `--help` and the README's Options table (a test fails when the README disagrees).
/// </summary>
internal static class OptionTable
{
    public static readonly CommandLineOption<string> Target =
        Option.Text("target", "<name>", "the target to run", "Up", "t");
    public static readonly CommandLineOption<bool> Exclusive =
        Option.Switch("exclusive", "run only the target, not its dependencies", "e");
    public static readonly CommandLineOption<bool> Plan =
        Option.Switch("plan", "run read-only queries for real, print every command that would change something instead of running it");
    public static readonly CommandLineOption<bool> DryRun =
        Option.Switch("dryrun", "Cake's dry run: list the tasks that would run, run nothing", "noop", "whatif");
    public static readonly CommandLineOption<bool> Tree =
        Option.Switch("tree", "show the task graph", "showtree");
    public static readonly CommandLineOption<bool> Description =
        Option.Switch("description", "list the targets with their descriptions", "showdescription");
    public static readonly CommandLineOption<bool> Help =
        Option.Switch("help", "show this usage", "h", "?");
    public static readonly CommandLineOption<bool> Version =
        Option.Switch("version", "show the build host's version");
    public static readonly CommandLineOption<Verbosity> Verbosity =
        Option.Choice("verbosity", "<level>", "how much to print: verbose also echoes read-only queries, diagnostic adds stack traces",
            Cake.Core.Diagnostics.Verbosity.Normal, "normal",
            [
                (["quiet", "q"], Cake.Core.Diagnostics.Verbosity.Quiet),
                (["minimal", "m"], Cake.Core.Diagnostics.Verbosity.Minimal),
                (["normal", "n"], Cake.Core.Diagnostics.Verbosity.Normal),
                (["verbose", "v"], Cake.Core.Diagnostics.Verbosity.Verbose),
                (["diagnostic", "diag", "d"], Cake.Core.Diagnostics.Verbosity.Diagnostic),
            ], "v");
    public static readonly CommandLineOption<int> HelmfileAttempts =
        Option.WholeNumber("helmfile-attempts", "<n>", "attempts for `helmfile apply` when failures look transient; 1 means no retry", 4, 1, 10).OnlyReadBy("HelmfileApply");
    public static readonly CommandLineOption<bool> Force =
        Option.Switch("force", "run `helmfile apply` even when its inputs are unchanged since the last apply and the platform is healthy").OnlyReadBy("HelmfileApply");
    public static readonly CommandLineOption<bool> Yes =
        Option.Switch("yes", "Clean or Purge on an existing cluster (PLATFORM_CONTEXT) without asking to type the context's name").OnlyReadBy("Clean", "Purge");
    public static readonly CommandLineOption<bool> SkipImageCheck =
        Option.Switch("skip-image-check", "do not ask the registries whether every image the run will pull exists, the releases' and the build's own pins (offline, or a registry that refuses anonymous reads)").OnlyReadBy("CheckImages", "HelmfileApply");
    public static readonly CommandLineOption<TimeSpan> RetryDelay =
        Option.Seconds("retry-delay", "first wait before retrying `helmfile apply`, doubling up to 60 s", 15, 0, 60).OnlyReadBy("HelmfileApply");
    public static readonly CommandLineOption<TimeSpan> Timeout =
        Option.Seconds("timeout", "how long Verify waits for the platform", 600, 0, 86400).OnlyReadBy("Verify");
    public static readonly CommandLineOption<string?> Report =
        Option.OutputFile("report", "Verify writes a JUnit XML report there, or JSON when the path ends in `.json`; written on every way out, pass or fail");
    public static readonly CommandLineOption<string?> HostsFile =
        Option.OutputFile("hosts-file", "PrintHosts writes its lines into a marked block of that file").OnlyReadBy("PrintHosts");
    public static readonly CommandLineOption<string?> Output =
        Option.OutputFile("output", "TrustCA writes the platform CA (PEM) there, default `.artifacts/data-platform-ca.crt`; Diagnose writes its bundle (.tar.gz) there, default `.artifacts/diagnostics/<utc-time>.tar.gz`").OnlyReadBy("TrustCA", "Diagnose");
    public static readonly CommandLineOption<TimeSpan> LockWait =
        Option.Seconds("lock-wait", "how long to wait for another ./build.sh running in this clone, or on the same kind cluster from another clone, to finish; 0 refuses at once", 1800, 0, 86400);

    /// <summary>In the order --help and the README show them.</summary>
    public static readonly IReadOnlyList<CommandLineOption> All =
        [Target, Exclusive, Plan, DryRun, Tree, Description, Help, Version, Verbosity, HelmfileAttempts, Force, Yes, SkipImageCheck, RetryDelay, Timeout, Report, HostsFile, Output, LockWait];

    /// <summary>The README's Options table, as markdown rows.</summary>
    public static string Markdown() =>
        string.Join('\n', new[] { "| Option | Meaning |", "| --- | --- |" }
            .Concat(All.Select(o => $"| {string.Join(", ", o.Spellings.Select(s => $"`{s}`"))} | {o.Description} |")));
}

/// <summary>The options the tasks read, typed and checked.</summary>
internal sealed record BuildOptions(bool Plan, RetrySettings HelmfileRetry, TimeSpan VerifyTimeout, string? ReportPath, string? HostsFile, TimeSpan LockWait, string? CaOutput = null)
{
    /// <summary>--output as Diagnose reads it: where the bundle goes (the same option TrustCA reads for its CA file).</summary>
    public string? DiagnosticsOutput => CaOutput;
    /// <summary>--verbosity: quiet turns the live progress off.</summary>
    public Verbosity Verbosity { get; init; } = Verbosity.Normal;
    /// <summary>--force: helmfile apply runs even when its inputs are unchanged and the platform is healthy.</summary>
    public bool Force { get; init; }
    /// <summary>--yes: Clean/Purge of an existing cluster need no typed confirmation.</summary>
    public bool Yes { get; init; }
    /// <summary>--skip-image-check: no registry is asked about the releases' images before the first apply.</summary>
    public bool SkipImageCheck { get; init; }

    public static BuildOptions From(CommandLine commandLine) => new(
        commandLine.Get(OptionTable.Plan),
        new RetrySettings(commandLine.Get(OptionTable.HelmfileAttempts), commandLine.Get(OptionTable.RetryDelay)),
        commandLine.Get(OptionTable.Timeout),
        commandLine.Get(OptionTable.Report),
        commandLine.Get(OptionTable.HostsFile),
        commandLine.Get(OptionTable.LockWait),
        commandLine.Get(OptionTable.Output))
    {
        Force = commandLine.Get(OptionTable.Force),
        Yes = commandLine.Get(OptionTable.Yes),
        SkipImageCheck = commandLine.Get(OptionTable.SkipImageCheck),
        Verbosity = commandLine.Get(OptionTable.Verbosity),
    };

    public static BuildOptions Defaults => From(CommandLine.Parse([], OptionTable.All));
}
