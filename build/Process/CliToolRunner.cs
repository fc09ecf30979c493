using System.Text;
using CliWrap;
using Spectre.Console;

namespace DataPlatform.Build.Process;

/// <summary>
/// The one way the build starts a process, over CliWrap. It echoes the command (secrets masked), streams long steps,
/// buffers short queries, and throws <see cref="ToolFailedException"/> on a non-zero exit unless told not to.
/// Cancellation is graceful first (SIGINT, so kind/helm clean up), then forceful after a grace period.
/// </summary>
public sealed class CliToolRunner(IAnsiConsole console, SecretMask mask, bool echoQueries) : IToolRunner
{
    static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(10);

    public async Task<ToolResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default)
    {
        if (command.Streamed || command.Mutating || echoQueries)
            console.MarkupLineInterpolated($"[grey]>[/] [bold]{mask.Apply(command.Display)}[/]");

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        PipeTarget Live(StringBuilder buffer, string style) => command.Streamed
            ? PipeTarget.Merge(PipeTarget.ToStringBuilder(buffer),
                PipeTarget.ToDelegate(line => console.MarkupLineInterpolated($"[{style}]  {mask.Apply(line)}[/]")))
            : PipeTarget.ToStringBuilder(buffer);

        var cli = Cli.Wrap(command.Program)
            .WithArguments(command.Arguments)
            .WithEnvironmentVariables(command.Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value))
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(Live(stdout, "grey"))
            .WithStandardErrorPipe(Live(stderr, "grey"));
        if (command.WorkingDirectory is not null) cli = cli.WithWorkingDirectory(command.WorkingDirectory);

        using var forceful = new CancellationTokenSource();
        await using var escalate = cancellationToken.Register(() => forceful.CancelAfter(GracePeriod));
        CommandResult result;
        try
        {
            result = await cli.ExecuteAsync(forceful.Token, cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new ToolNotFoundException(command.Program);
        }
        catch (CliWrap.Exceptions.CommandExecutionException e) when (e.InnerException is System.ComponentModel.Win32Exception)
        {
            throw new ToolNotFoundException(command.Program);
        }

        var toolResult = new ToolResult(result.ExitCode, stdout.ToString(), stderr.ToString());
        if (!toolResult.Succeeded && !command.AllowFailure) throw new ToolFailedException(command, toolResult with
        {
            StandardError = mask.Apply(toolResult.StandardError),
            StandardOutput = mask.Apply(toolResult.StandardOutput),
        });
        return toolResult;
    }
}

public sealed class ToolNotFoundException(string program)
    : Exception($"'{program}' was not found on PATH: run ./build.sh --target=EnsureTools to install it")
{
    public string Program { get; } = program;
}
