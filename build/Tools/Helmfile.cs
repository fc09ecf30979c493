using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

/// <summary>helmfile, always with --kube-context; the platform's variables (secrets included) go in the child's environment.</summary>
internal sealed class Helmfile(IToolRunner runner, string context, string helmfilePath)
{
    /// <summary>
    /// helmfile 1.x's `version` asks github.com for a newer release after printing its own, and exits non-zero when
    /// that request fails (cmd/root.go attaches the upgrade notice unless this variable is set): offline machines and
    /// firewalled CI would see a good helmfile as broken. Set on every helmfile call, so none of them phones out.
    /// </summary>
    public const string UpgradeNoticeVariable = "HELMFILE_UPGRADE_NOTICE_DISABLED";

    /// <summary>The child's environment: the platform's variables plus the upgrade notice turned off.</summary>
    public static IReadOnlyDictionary<string, string> ChildEnvironment(IReadOnlyDictionary<string, string>? platformVariables = null) =>
        new Dictionary<string, string>(platformVariables ?? new Dictionary<string, string>()) { [UpgradeNoticeVariable] = "1" };

    /// <summary>Every release in order, each allowed helm's own --timeout (5 min by default) to become ready.</summary>
    public static readonly TimeSpan ApplyTimeout = TimeSpan.FromMinutes(30);

    public ToolCommand ApplyCommand(IReadOnlyDictionary<string, string> environment) =>
        new("helmfile", ["--file", helmfilePath, "--kube-context", context, "apply", "--suppress-secrets", "--skip-diff-on-install"])
        {
            Mutating = true,
            Streamed = true,
            Environment = ChildEnvironment(environment),
            WorkingDirectory = Path.GetDirectoryName(helmfilePath),
            Timeout = ApplyTimeout,
            WhenHung = $"A release is still not ready: look for pods that are Pending, ImagePullBackOff or CrashLoopBackOff " +
                       $"(`kubectl --context {context} get pods --all-namespaces`). helmfile apply is safe to repeat: run the same target again.",
        };

    /// <summary>Renders every release's manifests (charts fetched, nothing sent to the cluster): read-only, so --plan runs it too.</summary>
    public ToolCommand TemplateCommand(IReadOnlyDictionary<string, string> environment) =>
        new("helmfile", ["--file", helmfilePath, "--kube-context", context, "template", "--skip-tests"])
        {
            Environment = ChildEnvironment(environment),
            WorkingDirectory = Path.GetDirectoryName(helmfilePath),
            Timeout = TemplateTimeout,
            WhenHung = "helmfile template renders the charts, fetching each once: check that the chart repositories answer " +
                       "(helmfile.yaml's repositories), or skip the image check with --skip-image-check.",
        };

    /// <summary>Fetching every chart the first time, then rendering them.</summary>
    public static readonly TimeSpan TemplateTimeout = TimeSpan.FromMinutes(5);

    public async Task<string> TemplateAsync(IReadOnlyDictionary<string, string> environment, CancellationToken ct) =>
        (await runner.RunAsync(TemplateCommand(environment), ct)).StandardOutput;

    public Task ApplyAsync(IReadOnlyDictionary<string, string> environment, CancellationToken ct) => runner.RunAsync(ApplyCommand(environment), ct);
}
