using System.Diagnostics;

namespace DataPlatform.Build.Tests.EndToEnd;

public sealed record ChildResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => StandardOutput + StandardError;
}

/// <summary>
/// Starts a child with exactly the environment given (nothing inherited from the test process, whose PATH must not
/// change and whose variables must not leak in), no TTY and a closed stdin, and captures both streams.
/// </summary>
static class ChildProcess
{
    // A guard against a hung child, not a timing assertion: it only turns a hang into a readable failure.
    static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);

    public static async Task<ChildResult> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment.Clear();
        foreach (var (key, value) in environment) start.Environment[key] = value;

        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(HangGuard);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {HangGuard}:\n{await stdout}{await stderr}");
        }
        return new ChildResult(process.ExitCode, await stdout, await stderr);
    }
}
