using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

/// <summary>helm, always with --kube-context.</summary>
public sealed class Helm(IToolRunner runner, string context)
{
    public ToolCommand Command(params string[] arguments) => new("helm", ["--kube-context", context, .. arguments]);

    public ToolCommand ListReleasesCommand() => Command("list", "--all-namespaces", "--all", "--output", "json");

    public Task<ToolResult> ListReleasesAsync(CancellationToken ct) => runner.RunAsync(ListReleasesCommand(), ct);
}
