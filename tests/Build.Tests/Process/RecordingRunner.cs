using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tests.Process;

/// <summary>An in-process IToolRunner: records each command and answers from a queue (no process is started).</summary>
sealed class RecordingRunner : IToolRunner
{
    readonly Queue<ToolResult> _answers = new();
    public List<ToolCommand> Commands { get; } = [];

    public RecordingRunner Answer(int exitCode, string stdout = "", string stderr = "")
    {
        _answers.Enqueue(new ToolResult(exitCode, stdout, stderr));
        return this;
    }

    public Task<ToolResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default)
    {
        Commands.Add(command);
        var result = _answers.Count > 0 ? _answers.Dequeue() : new ToolResult(0, "", "");
        if (!result.Succeeded && !command.AllowFailure) throw new ToolFailedException(command, result);
        return Task.FromResult(result);
    }
}
