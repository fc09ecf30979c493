using System.Text.Json;
using System.Text.Json.Serialization;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

/// <summary>
/// helm, always with --kube-context. One instance per run, so the helm version is asked once, and not at all while the
/// helm binary on PATH is the one <paramref name="versions"/> knows (EnsureTools asked it already).
/// </summary>
internal sealed class Helm(IToolRunner runner, string context, ToolVersionCache? versions = null)
{
    /// <summary>The first major whose `helm list` shows every status without a flag, and refuses `--all`.</summary>
    public const int ListsEveryStatusFromMajor = 4;

    ToolVersion? _version;

    public ToolCommand Command(params string[] arguments) => new("helm", ["--kube-context", context, .. arguments]);

    /// <summary>The same probe EnsureTools runs: it reads no kubeconfig and contacts no cluster.</summary>
    public ToolCommand VersionCommand() => Command("version", "--short");

    /// <summary>
    /// Every release in every namespace, whatever its status, in its latest revision, in the form each major documents:
    /// Helm 4 lists every status when given no status flag and answers `unknown flag: --all` to Helm 3's `--all`
    /// (helm/helm#31295); Helm 3 hides pending-install, pending-upgrade and uninstalling releases without `--all`
    /// (pkg/action/list.go, "By default, it lists only releases that are deployed or failed"). Status flags combined
    /// are not used: helm/helm#32384 reports they stopped combining in a later 4.x. helm reads its own storage
    /// (HELM_DRIVER: secret, configmap, sql or memory), so this is right whichever driver the user chose.
    /// </summary>
    public static ToolCommand ListReleasesCommand(string context, ToolVersion helmVersion) =>
        new("helm", helmVersion.Major >= ListsEveryStatusFromMajor
            ? ["--kube-context", context, "list", "--all-namespaces", "--output", "json"]
            : ["--kube-context", context, "list", "--all-namespaces", "--all", "--output", "json"]);

    public async Task<ToolCommand> ListReleasesCommandAsync(CancellationToken ct) => ListReleasesCommand(context, await VersionAsync(ct));

    public async Task<IReadOnlyList<HelmReleaseStatus>> ListReleasesAsync(CancellationToken ct) =>
        HelmReleaseStatus.ParseList((await runner.RunAsync(await ListReleasesCommandAsync(ct), ct)).StandardOutput);

    /// <summary>The helm on PATH (EnsureTools put the pinned one first), asked once per run; a failed probe is asked again next time.</summary>
    public async Task<ToolVersion> VersionAsync(CancellationToken ct) => _version ??= await ProbeVersionAsync(ct);

    async Task<ToolVersion> ProbeVersionAsync(CancellationToken ct)
    {
        var command = VersionCommand();
        var output = "";
        async Task<ToolVersion?> AskAsync()
        {
            output = (await runner.RunAsync(command, ct)).StandardOutput;
            return ToolVersion.TryParse(output, out var asked) ? asked : null;
        }
        var version = versions is not null && ToolVersionCache.OnPath(command.Program) is { } helm
            ? await versions.GetOrProbeAsync(command.Program, helm, AskAsync)
            : await AskAsync();
        if (version is not null) return version;
        var firstLine = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "nothing";
        throw new BuildFailure($"`{command.Display}` printed {(firstLine == "nothing" ? "nothing" : $"'{firstLine}'")}, not a version like v4.3.0: " +
                               "check which helm is first on PATH (`command -v helm`), or run ./build.sh --target=EnsureTools to install the pinned one.");
    }

    // The repairs of a release an interrupted or failed apply left behind (Services/ReleaseRepairer). Bare --wait means
    // "wait" to Helm 3 (a bool) and the watcher strategy to Helm 4 (pkg/cmd/flags.go AddWaitFlag, NoOptDefVal).

    /// <summary>Every revision of one release, oldest first, as `helm history --output json` prints them.</summary>
    public ToolCommand HistoryCommand(string name, string ns) => Command("history", name, "--namespace", ns, "--output", "json");

    public async Task<IReadOnlyList<HelmRevision>> HistoryAsync(string name, string ns, CancellationToken ct) =>
        HelmRevision.ParseList((await runner.RunAsync(HistoryCommand(name, ns), ct)).StandardOutput);

    /// <summary>Removes a release and its objects, waiting until they are gone, so the apply that follows installs it afresh.</summary>
    public ToolCommand UninstallCommand(string name, string ns, TimeSpan helmTimeout) =>
        Command("uninstall", name, "--namespace", ns, "--wait", "--timeout", $"{helmTimeout.TotalSeconds:0}s") with
        {
            Mutating = true,
            Timeout = helmTimeout + TimeSpan.FromMinutes(2),
            WhenHung = $"Objects of release {ns}/{name} are not going away: look for finalizers (`kubectl --context {context} -n {ns} get all`), then run the same target again.",
        };

    /// <summary>A new revision with the objects of <paramref name="revision"/>; no --wait, the apply that follows waits.</summary>
    public ToolCommand RollbackCommand(string name, string ns, int revision, TimeSpan helmTimeout) =>
        Command("rollback", name, revision.ToString(System.Globalization.CultureInfo.InvariantCulture), "--namespace", ns, "--timeout", $"{helmTimeout.TotalSeconds:0}s") with
        {
            Mutating = true,
            Timeout = helmTimeout + TimeSpan.FromMinutes(2),
            WhenHung = $"helm could not roll back release {ns}/{name}: check the API server (`kubectl --context {context} get nodes`), then run the same target again.",
        };

    public Task UninstallAsync(string name, string ns, TimeSpan helmTimeout, CancellationToken ct) => runner.RunAsync(UninstallCommand(name, ns, helmTimeout), ct);

    public Task RollbackAsync(string name, string ns, int revision, TimeSpan helmTimeout, CancellationToken ct) =>
        runner.RunAsync(RollbackCommand(name, ns, revision, helmTimeout), ct);
}

/// <summary>One row of `helm history --output json` (pkg/cmd/history.go releaseInfo): revision is a number there.</summary>
internal sealed record HelmRevision(
    [property: JsonPropertyName("revision")] int Revision,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("description")] string? Description)
{
    /// <summary>What to check when helm's JSON is not JSON: something else printed first, or another program answers to `helm`.</summary>
    internal const string NotHelmsJson = "check which helm is first on PATH (`command -v helm`) and that no plugin or wrapper prints before its JSON.";

    public static IReadOnlyList<HelmRevision> ParseList(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize(json, ToolJson.Default.ListHelmRevision) ?? [];
        }
        catch (JsonException)
        {
            throw new FormatException(ToolOutput.Describe("helm history --output json", json, "its JSON list of revisions", NotHelmsJson));
        }
    }
}

/// <summary>One row of `helm list --output json`: name, namespace, revision (a string), updated, status, chart, app_version.</summary>
internal sealed record HelmReleaseStatus(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("namespace")] string Namespace,
    [property: JsonPropertyName("revision")] string? Revision,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("chart")] string? Chart)
{
    public string Id => $"{Namespace}/{Name}";

    /// <summary>The rows of helm's JSON list; empty output is read as no releases.</summary>
    public static IReadOnlyList<HelmReleaseStatus> ParseList(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize(json, ToolJson.Default.ListHelmReleaseStatus)?.Where(r => r is { Name: not null, Namespace: not null }).ToList() ?? [];
        }
        catch (JsonException)
        {
            throw new FormatException(ToolOutput.Describe("helm list --output json", json, "its JSON list of releases", HelmRevision.NotHelmsJson));
        }
    }
}
