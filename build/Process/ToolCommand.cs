namespace DataPlatform.Build.Process;

/// <summary>
/// One external call, described before it runs. Arguments are an array, never a hand-quoted string.
/// Mutating commands are the ones --plan prints instead of running; Streamed ones are long steps whose output
/// the user watches live, the rest are short queries whose output is buffered.
/// </summary>
internal sealed record ToolCommand(string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>How long a short query (a get, a version, docker info) may take before it counts as hung.</summary>
    public static readonly TimeSpan DefaultQueryTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The safety net for a long step whose wrapper set no bound of its own.</summary>
    public static readonly TimeSpan DefaultStepTimeout = TimeSpan.FromMinutes(15);

    public bool Mutating { get; init; }
    public bool Streamed { get; init; }
    /// <summary>Exit codes other than zero are returned rather than thrown (for probes such as "does X exist").</summary>
    public bool AllowFailure { get; init; }
    /// <summary>Extra variables for the child only. Secrets travel here, never in Arguments.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string? WorkingDirectory { get; init; }

    /// <summary>How long the command may run before it is stopped as hung; unset, the defaults above apply.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>What to check when the command hangs, said after "did not finish within ..."; unset, a hint for the program.</summary>
    public string? WhenHung { get; init; }

    /// <summary>The bound the runner enforces.</summary>
    public TimeSpan Bound => Timeout ?? (Streamed ? DefaultStepTimeout : DefaultQueryTimeout);

    /// <summary>The command as a person can paste it back into a shell.</summary>
    public string Display => string.Join(' ', Arguments.Prepend(Program).Select(Quote));

    static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+{}".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";
}

internal sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
