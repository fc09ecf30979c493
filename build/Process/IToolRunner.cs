namespace DataPlatform.Build.Process;

internal interface IToolRunner
{
    Task<ToolResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default);
}
