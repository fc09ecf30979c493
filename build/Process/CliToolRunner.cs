using System.Text;
using CliWrap;
using Spectre.Console;

namespace DataPlatform.Build.Process;

/// <summary>
/// The one way the build starts a process, over CliWrap. It echoes the command (secrets masked), streams long steps,
/// buffers short queries, and throws <see cref="ToolFailedException"/> on a non-zero exit unless told not to.
/// Every command is bounded (<see cref="ToolCommand.Bound"/>): past it, or on Ctrl+C, the whole process tree is
/// stopped, gracefully first (SIGINT to every process of the command, as a terminal's Ctrl+C does, so kind and helm
/// clean up), then forcefully (SIGKILL) after a grace period or as soon as the child itself is gone and only orphans
/// remain. A timeout throws <see cref="ToolTimeoutException"/>, Ctrl+C an OperationCanceledException.
/// </summary>
internal sealed class CliToolRunner(IAnsiConsole console, SecretMask mask, bool echoQueries) : IToolRunner
{
    /// <summary>How long a stopped command may take to clean up after SIGINT before it is killed.</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(10);

    /// <summary>A query still running after this long is announced once, so a slow tool never looks like a hung build.</summary>
    public static readonly TimeSpan DefaultSlowNotice = TimeSpan.FromSeconds(5);

    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How the message of a stopped command ends, after the command itself.</summary>
    public const string InterruptedSuffix = "was interrupted, and everything it started was stopped.";

    public TimeSpan GracePeriod { get; init; } = DefaultGracePeriod;
    public TimeSpan SlowNotice { get; init; } = DefaultSlowNotice;

    public bool RanMutatingCommand { get; private set; }

    public async Task<ToolResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var shown = mask.Apply(command.Display);
        if (command.Mutating) RanMutatingCommand = true;
        var echoed = command.Streamed || command.Mutating || echoQueries;
        if (echoed) console.MarkupLineInterpolated($"[grey]>[/] [bold]{shown}[/]");

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        PipeTarget Live(StringBuilder buffer, string style) => command.Streamed
            ? PipeTarget.Merge(PipeTarget.ToStringBuilder(buffer),
                PipeTarget.ToDelegate(line => console.MarkupLineInterpolated($"[{style}]  {mask.Apply(line)}[/]")))
            : PipeTarget.ToStringBuilder(buffer);

        var marker = ProcessTree.NewMarker();
        var environment = command.Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        environment[ProcessTree.MarkerVariable] = marker;
        var cli = Cli.Wrap(command.Program)
            .WithArguments(command.Arguments)
            .WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(Live(stdout, "grey"))
            .WithStandardErrorPipe(Live(stderr, "grey"));
        if (command.WorkingDirectory is not null) cli = cli.WithWorkingDirectory(command.WorkingDirectory);

        var bound = command.Bound;
        using var timeout = new CancellationTokenSource(bound);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var forceful = new CancellationTokenSource();

        CommandTask<CommandResult> running;
        try
        {
            // Only the forceful token goes to CliWrap: its graceful step signals the child alone, ours the whole tree.
            running = cli.ExecuteAsync(forceful.Token);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new ToolNotFoundException(command.Program);
        }
        catch (CliWrap.Exceptions.CommandExecutionException e) when (e.InnerException is System.ComponentModel.Win32Exception)
        {
            throw new ToolNotFoundException(command.Program);
        }

        var tree = new ProcessTree(running.ProcessId, marker);
        // Set before the stop begins, read after the command returns: the child may exit the instant it gets SIGINT.
        var stopRequested = 0;
        var timedOut = false;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (stop.Token.Register(() =>
        {
            if (running.Task.IsCompleted) return;
            timedOut = !cancellationToken.IsCancellationRequested;
            Interlocked.Exchange(ref stopRequested, 1);
            _ = Task.Run(async () =>
            {
                try { await StopAsync(tree, running.ProcessId, running.Task, forceful); }
                finally { stopped.TrySetResult(); }
            });
        }))
        await using (SlowQueryNotice(echoed, shown, bound))
        {
            CommandResult? result = null;
            try
            {
                result = await running;
            }
            catch (OperationCanceledException) when (Volatile.Read(ref stopRequested) == 1)
            {
            }
            if (Volatile.Read(ref stopRequested) == 1)
            {
                await stopped.Task;
                tree.Signal(ProcessTree.SigKill);   // a last sweep: nothing the command started outlives it
                if (timedOut) throw new ToolTimeoutException(shown, bound, command.WhenHung ?? ToolTimeoutException.HintFor(command.Program));
                throw new OperationCanceledException($"`{shown}` {InterruptedSuffix}", cancellationToken);
            }

            var toolResult = new ToolResult(result!.ExitCode, stdout.ToString(), mask.Apply(stderr.ToString()));
            if (!toolResult.Succeeded && !command.AllowFailure) throw new ToolFailedException(command, toolResult, mask);
            return toolResult;
        }
    }

    /// <summary>SIGINT to every process of the command; SIGKILL to what is left once the child is gone or the grace period is over.</summary>
    async Task StopAsync(ProcessTree tree, int childId, Task<CommandResult> running, CancellationTokenSource forceful)
    {
        tree.Signal(ProcessTree.SigInt);
        var deadline = DateTime.UtcNow + GracePeriod;
        while (DateTime.UtcNow < deadline && !running.IsCompleted)
        {
            var members = tree.Members();
            // Without the child, what remains is orphaned: nothing will stop it, and it may hold the output pipes open.
            if (members.Count == 0 || !members.Contains(childId)) break;
            await Task.WhenAny(running, Task.Delay(PollInterval));
        }
        tree.Signal(ProcessTree.SigKill);
        // CliWrap's forced stop: Process.Kill(entireProcessTree) and no more waiting on pipes a survivor could hold.
        forceful.Cancel();
    }

    IAsyncDisposable SlowQueryNotice(bool echoed, string shown, TimeSpan bound)
    {
        if (echoed || SlowNotice >= bound) return new Timer(_ => { });
        return new Timer(_ => console.MarkupLineInterpolated(
            $"[grey]waiting for {shown}… (stopped after {ToolTimeoutException.Describe(bound)} without an answer)[/]"),
            null, SlowNotice, Timeout.InfiniteTimeSpan);
    }
}
