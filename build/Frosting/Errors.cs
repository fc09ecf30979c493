namespace DataPlatform.Build.Frosting;

/// <summary>An expected failure: its message says what is wrong and what to do, and is shown without a stack trace (exit code 1).</summary>
/// <remarks>Public because every part of the build throws it; the host turns it into one message.</remarks>
internal class BuildFailure(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A mistake on the command line (unknown option or target, bad or missing value): exit code 2, before anything runs.</summary>
internal sealed class CommandLineException(IReadOnlyList<string> problems) : Exception(string.Join(Environment.NewLine, problems))
{
    public CommandLineException(string problem) : this([problem]) { }

    public IReadOnlyList<string> Problems { get; } = problems;
}
