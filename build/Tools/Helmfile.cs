using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

/// <summary>helmfile, always with --kube-context; the platform's variables (secrets included) go in the child's environment.</summary>
internal sealed class Helmfile(IToolRunner runner, string context, HelmfileSpec spec)
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

    /// <summary>
    /// Beyond helm's own waits: fetching the charts, helm-diff on every release, the hooks' pods starting. Generous on
    /// purpose: a bound cut short kills helm mid-install and leaves releases failed or pending-install.
    /// </summary>
    public static readonly TimeSpan Slack = TimeSpan.FromMinutes(10);

    /// <summary>
    /// helmfile's own --selector on apply, template and destroy (never on sync, which names its releases and whose
    /// selectors are OR'ed): what leaves MetalLB's releases out on an existing cluster (ExistingCluster.MetalLbChoice).
    /// </summary>
    public IReadOnlyList<string> Selectors { get; init; } = [];

    IEnumerable<string> SelectorArguments => Selectors.SelectMany(s => new[] { "--selector", s });

    /// <summary>
    /// helmfile runs the releases in needs groups, one group after the other, and helm may wait up to
    /// helmDefaults.timeout for each release of a group: so (groups × timeout) + <see cref="Slack"/>.
    /// helmfile.yaml's 7 groups × 600 s give 80 min.
    /// </summary>
    public static TimeSpan Bound(int groups, TimeSpan helmTimeout) => helmTimeout * Math.Max(groups, 1) + Slack;


    string WhenHung(TimeSpan bound, int groups) =>
        $"The bound is {groups} needs group{(groups == 1 ? "" : "s")} × helmDefaults.timeout {spec.HelmTimeout.TotalSeconds:0}s + {Slack.TotalMinutes:0} min = {bound.TotalMinutes:0} min. " +
        $"A release is still not ready: look for pods that are Pending, ImagePullBackOff or CrashLoopBackOff " +
        $"(`kubectl --context {context} get pods --all-namespaces`). The next Up repairs a release this left failed or pending, then applies again.";

    /// <summary>
    /// helm stores each release's labels (helmfile.yaml's commonLabels among them: the platform's ownership label) on the
    /// release's record (helmfile pkg/state/helmx.go appendLabelsFlags: `helm upgrade --install --labels k=v,...`).
    /// helmfile.yaml asks for it too (helmDefaults.syncReleaseLabels); the flag keeps the mark even if that line goes.
    /// </summary>
    const string SyncReleaseLabels = "--sync-release-labels";

    public ToolCommand ApplyCommand(IReadOnlyDictionary<string, string> environment)
    {
        var groups = HelmfileSpec.NeedsGroups(spec.Releases);
        return new("helmfile", ["--file", spec.Path, "--kube-context", context, .. SelectorArguments, "apply", "--suppress-secrets", "--skip-diff-on-install", SyncReleaseLabels])
        {
            Mutating = true,
            Streamed = true,
            Environment = ChildEnvironment(environment),
            WorkingDirectory = Path.GetDirectoryName(spec.Path),
            Timeout = Bound(groups, spec.HelmTimeout),
            WhenHung = WhenHung(Bound(groups, spec.HelmTimeout), groups),
        };
    }

    /// <summary>
    /// `helmfile sync` of the given releases only: it upgrades each one whatever its diff says, which `apply` does not
    /// (helmfile pkg/app/app.go: apply returns early when helm-diff finds nothing to update, and helm-diff compares with
    /// the failed revision's own manifest). One selector per release, name AND namespace, so a same-named release in
    /// another namespace is never selected (helmfile labels every release with its name and namespace, pkg/state/state.go
    /// GetReleasesWithLabels; several --selector flags are OR'ed, the commas inside one AND'ed).
    /// </summary>
    public ToolCommand SyncCommand(IReadOnlyDictionary<string, string> environment, IReadOnlyList<Release> releases)
    {
        var groups = HelmfileSpec.NeedsGroups(releases);
        var bound = Bound(groups, spec.HelmTimeout);
        return new("helmfile", ["--file", spec.Path, "--kube-context", context,
                                .. releases.SelectMany(r => new[] { "--selector", $"name={r.Name},namespace={r.Namespace}" }),
                                "sync", SyncReleaseLabels])
        {
            Mutating = true,
            Streamed = true,
            Environment = ChildEnvironment(environment),
            WorkingDirectory = Path.GetDirectoryName(spec.Path),
            Timeout = bound,
            WhenHung = WhenHung(bound, groups),
        };
    }

    /// <summary>Renders every release's manifests (charts fetched, nothing sent to the cluster): read-only, so --plan runs it too.</summary>
    public ToolCommand TemplateCommand(IReadOnlyDictionary<string, string> environment) =>
        new("helmfile", ["--file", spec.Path, "--kube-context", context, .. SelectorArguments, "template", "--skip-tests"])
        {
            Environment = ChildEnvironment(environment),
            WorkingDirectory = Path.GetDirectoryName(spec.Path),
            Timeout = TemplateTimeout,
            WhenHung = "helmfile template renders the charts, fetching each once: check that the chart repositories answer " +
                       "(helmfile.yaml's repositories), or skip the image check with --skip-image-check.",
        };

    /// <summary>Fetching every chart the first time, then rendering them.</summary>
    public static readonly TimeSpan TemplateTimeout = TimeSpan.FromMinutes(5);

    public async Task<string> TemplateAsync(IReadOnlyDictionary<string, string> environment, CancellationToken ct) =>
        (await runner.RunAsync(TemplateCommand(environment), ct)).StandardOutput;

    public Task ApplyAsync(IReadOnlyDictionary<string, string> environment, CancellationToken ct) => runner.RunAsync(ApplyCommand(environment), ct);

    public Task SyncAsync(IReadOnlyDictionary<string, string> environment, IReadOnlyList<Release> releases, CancellationToken ct) =>
        runner.RunAsync(SyncCommand(environment, releases), ct);
}
