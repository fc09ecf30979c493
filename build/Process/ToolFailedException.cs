namespace DataPlatform.Build.Process;

/// <summary>
/// A command failed: carries what a person needs to act on it (the command, the exit code, the end of stderr), with
/// every secret masked. The command kept here has masked arguments and no environment, so nothing that prints the
/// exception, its Command.Display or its output can leak a secret.
/// </summary>
internal sealed class ToolFailedException(ToolCommand command, ToolResult result, SecretMask? mask = null)
    : Exception($"{command.Program} exited with code {result.ExitCode}")
{
    public ToolCommand Command { get; } = Masked(command, mask ?? SecretMask.None);
    public ToolResult Result { get; } = result with
    {
        StandardError = (mask ?? SecretMask.None).Apply(result.StandardError),
        StandardOutput = (mask ?? SecretMask.None).Apply(result.StandardOutput),
    };

    public string StandardErrorTail(int lines = 15)
    {
        var all = (Result.StandardError.Length > 0 ? Result.StandardError : Result.StandardOutput)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(System.Environment.NewLine, all.TakeLast(lines).Select(l => "    " + l));
    }

    static ToolCommand Masked(ToolCommand command, SecretMask mask) => command with
    {
        Arguments = command.Arguments.Select(mask.Apply).ToList(),
        Environment = new Dictionary<string, string>(),
    };
}
