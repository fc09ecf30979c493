using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.Verification;

/// <summary>
/// Stands in for the helm CLI in the in-process Verify tests: `helm list` answers the scenario's releases as helm's
/// JSON (or fails like helm when told to); any other helm command is a test bug and throws.
/// </summary>
internal sealed class ScenarioHelm(ClusterScenario scenario, string context) : IToolRunner
{
    public List<ToolCommand> Commands { get; } = [];
    /// <summary>When set, helm exits 1 with this on stderr, as it does when its storage cannot be read.</summary>
    public string? Failure { get; set; }

    public Helm Helm => new(this, context);

    public Task<ToolResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (Commands) Commands.Add(command);
        if (command.Program != "helm" || !command.Arguments.SequenceEqual(Helm.ListReleasesCommand().Arguments))
            throw new InvalidOperationException($"the helm stand-in knows only `helm list`, not {command.Display}");
        if (Failure is { } failure)
        {
            var failed = new ToolResult(1, "", failure);
            if (!command.AllowFailure) throw new ToolFailedException(command, failed);
            return Task.FromResult(failed);
        }
        return Task.FromResult(new ToolResult(0, scenario.HelmListJson(), ""));
    }
}
