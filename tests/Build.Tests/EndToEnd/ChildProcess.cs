using System.Collections;
using System.Text;
using CliWrap;

namespace DataPlatform.Build.Tests.EndToEnd;

public sealed record ChildResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => StandardOutput + StandardError;
}

/// <summary>
/// Starts a child with exactly the environment given (nothing inherited from the test process, whose PATH must not
/// change and whose variables must not leak in), no TTY and an empty stdin, and captures both streams.
/// </summary>
static class ChildProcess
{
    // A guard against a hung child, not a timing assertion: it only turns a hang into a readable failure.
    static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);

    /// <param name="input">what the child reads on stdin (empty when null)</param>
    public static async Task<ChildResult> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, string? input = null)
    {
        var argv = arguments.ToList();
        // CliWrap starts from the test process's environment: a null value removes an inherited variable.
        var only = new Dictionary<string, string?>();
        foreach (DictionaryEntry inherited in Environment.GetEnvironmentVariables()) only[(string)inherited.Key] = null;
        foreach (var (key, value) in environment) only[key] = value;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var guard = new CancellationTokenSource(HangGuard);
        try
        {
            var result = await Cli.Wrap(program).WithArguments(argv).WithWorkingDirectory(workingDirectory)
                .WithEnvironmentVariables(only)
                .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
                .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr))
                .WithStandardInputPipe(input is null ? PipeSource.Null : PipeSource.FromString(input))
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(guard.Token);
            return new ChildResult(result.ExitCode, stdout.ToString(), stderr.ToString());
        }
        catch (OperationCanceledException) when (guard.IsCancellationRequested)
        {
            // CliWrap has killed the child's whole tree by now.
            throw new TimeoutException($"{program} {string.Join(' ', argv)} did not finish within {HangGuard}:\n{stdout}{stderr}");
        }
    }
}
