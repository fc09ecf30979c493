namespace DataPlatform.Build.Tests.EndToEnd.BadInput;

/// <summary>What a case sees: its private build root and the user's machine (HOME, KUBECONFIG, stand-in state).</summary>
sealed record CaseContext(CaseRoot Root, Scenario Machine, string Scratch);

/// <summary>
/// One realistic mistake or fault, and what the build must answer: the exit code, the words that name the culprit
/// (file and line, option, variable) and the fix, and whether anything may change before it says so.
/// </summary>
sealed record BadInputCase(string Name, params string[] Arguments)
{
    /// <summary>0 ok, 1 failure, 2 command-line mistake (docs/troubleshooting.md, "Exit codes").</summary>
    public int ExitCode { get; init; } = 2;
    /// <summary>Each must appear in the output (case-insensitive; the console may wrap lines anywhere).</summary>
    public string[] Culprit { get; init; } = [];
    public Func<CaseContext, Task>? Arrange { get; init; }
    /// <summary>A fault met after the cluster exists may legitimately follow some changes; a validation mistake may not.</summary>
    public bool MutationsAllowed { get; init; }
    /// <summary>Values that must never be printed, on top of the fixture's demo secrets.</summary>
    public string[] Secrets { get; init; } = [];
    /// <summary>Further checks on the files the case left (a hosts file's lines, a report).</summary>
    public Action<CaseContext, BuildRun>? Then { get; init; }
    public bool CopyBuildOutput { get; init; }

    public override string ToString() => Name;
}
