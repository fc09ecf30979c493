namespace DataPlatform.Build.Process;

/// <summary>
/// One external call, described before it runs. Arguments are an array, never a hand-quoted string.
/// Mutating commands are the ones --plan prints instead of running; Streamed ones are long steps whose output
/// the user watches live, the rest are short queries whose output is buffered.
/// </summary>
public sealed record ToolCommand(string Program, IReadOnlyList<string> Arguments)
{
    public bool Mutating { get; init; }
    public bool Streamed { get; init; }
    /// <summary>Exit codes other than zero are returned rather than thrown (for probes such as "does X exist").</summary>
    public bool AllowFailure { get; init; }
    /// <summary>Extra variables for the child only. Secrets travel here, never in Arguments.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string? WorkingDirectory { get; init; }

    /// <summary>The command as a person can paste it back into a shell.</summary>
    public string Display => string.Join(' ', Arguments.Prepend(Program).Select(Quote));

    static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+{}".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";
}

public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

public interface IToolRunner
{
    Task<ToolResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default);
}

/// <summary>A command failed: carries what a person needs to act on it (the command, the exit code, the end of stderr).</summary>
public sealed class ToolFailedException(ToolCommand command, ToolResult result)
    : Exception($"{command.Program} exited with code {result.ExitCode}")
{
    public ToolCommand Command { get; } = command;
    public ToolResult Result { get; } = result;

    public string StandardErrorTail(int lines = 15)
    {
        var all = (Result.StandardError.Length > 0 ? Result.StandardError : Result.StandardOutput)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(Environment.NewLine, all.TakeLast(lines).Select(l => "    " + l));
    }
}
