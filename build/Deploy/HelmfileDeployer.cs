using System.Text.RegularExpressions;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using Polly;
using Polly.Retry;
using Spectre.Console;

namespace DataPlatform.Build.Deploy;

internal sealed record RetrySettings(int Attempts, TimeSpan FirstDelay)
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Runs `helmfile apply`, and runs it again when the failure is one a person would simply retry by hand:
/// timeouts, and webhooks that are not serving yet (connection refused, x509) right after cert-manager starts.
/// Before every attempt the repairer (when given) gets past what an earlier one left: a failed release is synced (a
/// plain re-apply skips it), a pending one uninstalled or rolled back. Anything else stops at once and names the release
/// that failed.
/// </summary>
internal sealed partial class HelmfileDeployer(Helmfile helmfile, HelmfileSpec spec, RetrySettings retry, IAnsiConsole console, ReleaseRepairer? repairer = null)
{
    [GeneratedRegex(
        @"timed out waiting for the condition|context deadline exceeded|i/o timeout|TLS handshake timeout|" +
        @"failed calling webhook|connection refused|x509: certificate (signed by unknown authority|has expired or is not yet valid)|" +
        @"no endpoints available for service|the server is currently unable to handle the request|etcdserver: request timed out",
        RegexOptions.IgnoreCase)]
    private static partial Regex TransientPattern();

    public static bool IsTransient(string output) => TransientPattern().IsMatch(output);

    /// <summary>Finds the releases helmfile reports as failed, keeping only names helmfile.yaml really declares.</summary>
    public static IReadOnlyList<string> FailedReleases(string output, IEnumerable<Release> releases)
    {
        var known = releases.Select(r => r.Name).ToHashSet();
        var candidates = new List<string>();
        var table = Regex.Match(output, @"FAILED RELEASES:\s*\n[^\n]*\n(?<rows>(?:[^\n]+\n?)*)");
        if (table.Success)
            candidates.AddRange(table.Groups["rows"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(row => row.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? ""));
        candidates.AddRange(Regex.Matches(output, @"(?:failed processing release|release) ""?(?<name>[A-Za-z0-9-]+)""?").Select(m => m.Groups["name"].Value));
        return candidates.Where(known.Contains).Distinct().ToList();
    }

    public async Task ApplyAsync(IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var pipeline = new ResiliencePipelineBuilder();
        // One attempt means no retry at all (Polly refuses a retry strategy with zero retries).
        if (retry.Attempts > 1)
            pipeline.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<ToolFailedException>(e => IsTransient(Output(e))),
                MaxRetryAttempts = retry.Attempts - 1,
                Delay = retry.FirstDelay,
                MaxDelay = RetrySettings.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                OnRetry = args =>
                {
                    var reason = TransientPattern().Match(Output((ToolFailedException)args.Outcome.Exception!)).Value;
                    console.MarkupLineInterpolated(
                        $"[yellow]helmfile apply hit a transient failure ({reason}); attempt {args.AttemptNumber + 2} of {retry.Attempts} in {args.RetryDelay.TotalSeconds:0}s.[/]");
                    return default;
                },
            });

        var attempts = 0;
        try
        {
            await pipeline.Build().ExecuteAsync(async token =>
            {
                attempts++;
                if (repairer is not null) await repairer.RepairAsync(environment, token);
                await helmfile.ApplyAsync(environment, token);
            }, ct);
        }
        // A helmfile (or a repair's helm) the kernel killed (137) or that a signal from outside ended (143) is said as every
        // tool's is, by the build's failure description: "killed (out of memory?)", with the memory Doctor measured.
        catch (ToolFailedException e) when (e.Result.ExitCode is not (137 or 143))
        {
            var output = Output(e);
            var releases = FailedReleases(output, spec.Releases);
            var which = releases.Count > 0 ? $"release {string.Join(", ", releases)}" : "a release";
            var why = IsTransient(output)
                ? $"still failing after {attempts} attempt{(attempts == 1 ? "" : "s")} with what looks transient"
                : "with an error that retrying will not fix";
            // The repair before an attempt fails like the apply does (a sync hits the same webhook): it is named as the
            // repair, by its own command, not as the apply that never ran.
            var what = IsApply(e.Command)
                ? "helmfile apply failed"
                : $"Repairing what an earlier attempt left failed ({RepairVerb(e.Command)}, before helmfile apply ran)";
            throw new BuildFailure(
                $"{what} on {which}, {why}.{Environment.NewLine}" +
                $"  command: {e.Command.Display}{Environment.NewLine}" +
                $"  last output:{Environment.NewLine}{e.StandardErrorTail()}{Environment.NewLine}" +
                $"  next: fix the cause above, then run ./build.sh --target=HelmfileApply --exclusive (or Up) again.", e);
        }
    }

    static bool IsApply(ToolCommand command) => command.Program == "helmfile" && command.Arguments.Contains("apply");

    /// <summary>The repair's command in a few words: `helm uninstall`, `helm rollback`, `helmfile sync`.</summary>
    static string RepairVerb(ToolCommand command)
    {
        var verb = command.Arguments.FirstOrDefault(a => a is "sync" or "uninstall" or "rollback" or "history" or "list" or "status");
        return verb is null ? command.Program : $"{command.Program} {verb}";
    }

    static string Output(ToolFailedException e) => e.Result.StandardError + "\n" + e.Result.StandardOutput;
}
