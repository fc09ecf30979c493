using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

/// <summary>kubectl, always with --context: the platform's context, never the user's current one.</summary>
internal sealed class Kubectl(IToolRunner runner, string context)
{
    /// <summary>kubectl wait reports its own --timeout; this much more lets it say so before the runner stops it.</summary>
    public static readonly TimeSpan WaitMargin = TimeSpan.FromSeconds(30);
    /// <summary>Server-side apply of the Gateway API CRDs (fetched from a URL or read from a file).</summary>
    public static readonly TimeSpan ApplyTimeout = TimeSpan.FromMinutes(5);

    public ToolCommand Command(params string[] arguments) => new("kubectl", ["--context", context, .. arguments]);

    public ToolCommand WaitForNodesReadyCommand(TimeSpan timeout) =>
        Command("wait", "--for=condition=Ready", "nodes", "--all", $"--timeout={(int)timeout.TotalSeconds}s") with
        {
            Streamed = true,
            Timeout = timeout + WaitMargin,
            WhenHung = $"The nodes did not become Ready: check `kubectl --context {context} get nodes` and `docker ps` " +
                       "(the kind nodes must be running), then run the same target again.",
        };

    /// <summary>Server-side apply: the Gateway API experimental CRDs are too large for client-side apply's annotation since v1.5.</summary>
    public ToolCommand ServerSideApplyCommand(string source) =>
        Command("apply", "--server-side", "--force-conflicts", "-f", source) with
        {
            Mutating = true,
            Streamed = true,
            Timeout = ApplyTimeout,
            WhenHung = $"Check that {source} can be read from here and that the API server answers " +
                       $"(`kubectl --context {context} get nodes`), then run the same target again.",
        };

    /// <summary>Client-side apply of one small manifest the build wrote (a record, not a platform component).</summary>
    public ToolCommand ApplyFileCommand(string path) =>
        Command("apply", "--filename", path) with
        {
            Mutating = true,
            WhenHung = $"Check that the API server answers (`kubectl --context {context} get nodes`), then run the same target again.",
        };

    public Task WaitForNodesReadyAsync(TimeSpan timeout, CancellationToken ct) => runner.RunAsync(WaitForNodesReadyCommand(timeout), ct);

    public Task ServerSideApplyAsync(string source, CancellationToken ct) => runner.RunAsync(ServerSideApplyCommand(source), ct);
}
