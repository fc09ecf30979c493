using DataPlatform.Build.Frosting;
namespace DataPlatform.Build.Process;

/// <summary>
/// What to say when a tool's output is not what the build reads from it: a proxy's banner or an HTML page before the
/// JSON, a plugin's warning, a truncated stream. The message names the command and what it printed (its first line),
/// never a parser's exception; the final message goes through the secrets' mask like every other.
/// </summary>
internal static class ToolOutput
{
    const int Shown = 120;

    public static BuildFailure NotUnderstood(string command, string output, string expected, string check) =>
        new(Describe(command, output, expected, check));

    /// <summary>The sentence itself, for a caller that reports it its own way (a failing check rather than a stop).</summary>
    public static string Describe(string command, string output, string expected, string check) =>
        $"`{command}` printed {FirstLine(output)}, which is not {expected}: {check}";

    static string FirstLine(string output)
    {
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (line is null) return "nothing";
        return $"'{(line.Length > Shown ? line[..Shown] + "..." : line)}'";
    }
}
