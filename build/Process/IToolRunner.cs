namespace DataPlatform.Build.Process;

internal interface IToolRunner
{
    Task<ToolResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default);

    /// <summary>Whether a command that changes something (<see cref="ToolCommand.Mutating"/>) was run, or planned, so far.</summary>
    bool RanMutatingCommand => false;
}
