using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

/// <summary>helmfile, always with --kube-context; the platform's variables (secrets included) go in the child's environment.</summary>
public sealed class Helmfile(IToolRunner runner, string context, string helmfilePath)
{
    public ToolCommand ApplyCommand(IReadOnlyDictionary<string, string> environment) =>
        new("helmfile", ["--file", helmfilePath, "--kube-context", context, "apply", "--suppress-secrets", "--skip-diff-on-install"])
        {
            Mutating = true,
            Streamed = true,
            Environment = environment,
            WorkingDirectory = Path.GetDirectoryName(helmfilePath),
        };

    public Task ApplyAsync(IReadOnlyDictionary<string, string> environment, CancellationToken ct) => runner.RunAsync(ApplyCommand(environment), ct);
}
