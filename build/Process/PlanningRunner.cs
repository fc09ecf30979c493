using Spectre.Console;

namespace DataPlatform.Build.Process;

/// <summary>--plan: read-only queries really run (so the plan reflects the cluster), mutating commands are only printed.</summary>
internal sealed class PlanningRunner(IToolRunner inner, IAnsiConsole console, SecretMask mask) : IToolRunner
{
    /// <summary>Whether the plan holds a changing command: the run it plans is not a no-op.</summary>
    public bool RanMutatingCommand { get; private set; }

    public Task<ToolResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default)
    {
        if (!command.Mutating) return inner.RunAsync(command, cancellationToken);
        RanMutatingCommand = true;
        console.MarkupLineInterpolated($"[yellow]plan:[/] would run [bold]{mask.Apply(command.Display)}[/]");
        return Task.FromResult(new ToolResult(0, "", ""));
    }
}
