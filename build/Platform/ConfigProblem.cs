namespace DataPlatform.Build.Platform;

/// <summary>
/// One thing wrong in one of the platform's files (or in the environment), located as precisely as the input allows:
/// compilers' and linters' "file:line:col: message", so editors and terminals can jump to it.
/// </summary>
internal sealed record ConfigProblem(string File, int? Line, int? Column, string Message)
{
    public override string ToString() => (Line, Column) switch
    {
        ({ } line, { } column) => $"{File}:{line}:{column}: {Message}",
        ({ } line, null) => $"{File}:{line}: {Message}",
        _ => $"{File}: {Message}",
    };
}
