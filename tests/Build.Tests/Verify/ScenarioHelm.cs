using DataPlatform.Build.Process;
using DataPlatform.Build.Toolchain;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>
/// Stands in for the helm CLI in the in-process Verify tests: `helm list` answers the scenario's releases as helm's
/// JSON (or fails like helm when told to); any other helm command is a test bug and throws.
/// </summary>
internal sealed class ScenarioHelm(ClusterScenario scenario, string context) : IToolRunner
{
    public List<ToolCommand> Commands { get; } = [];
    /// <summary>When set, helm exits 1 with this on stderr, as it does when its storage cannot be read.</summary>
    public string? Failure { get; set; }

    public Helm Helm => _helm ??= new(this, context);
    Helm? _helm;

    /// <summary>The helm this stand-in claims to be: the pin of tools.yaml, as EnsureTools would install it.</summary>
    static readonly ToolVersion PinnedHelm = ToolPins.Load(Platform.RepoRoot.File("tools.yaml")).Helm.Version;

    public Task<ToolResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (Commands) Commands.Add(command);
        if (command.Program == "helm" && command.Arguments.SequenceEqual(Helm.VersionCommand().Arguments))
            return Task.FromResult(new ToolResult(0, $"{PinnedHelm}+g05fa379\n", ""));
        if (command.Program != "helm" || !command.Arguments.SequenceEqual(Build.Tools.Helm.ListReleasesCommand(context, PinnedHelm).Arguments))
            throw new InvalidOperationException($"the helm stand-in knows only `helm version` and `helm list`, not {command.Display}");
        if (Failure is { } failure)
        {
            var failed = new ToolResult(1, "", failure);
            if (!command.AllowFailure) throw new ToolFailedException(command, failed);
            return Task.FromResult(failed);
        }
        return Task.FromResult(new ToolResult(0, scenario.HelmListJson(), ""));
    }
}
