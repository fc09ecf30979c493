using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// helm's releases on an existing cluster, told apart by the ownership label helmfile puts on the platform's (helmfile.yaml:
/// commonLabels, with syncReleaseLabels): read in process from helm's own records (<see cref="HelmReleaseRecords"/>),
/// the latest revision of each, whose labels `helm upgrade --labels` set. A release without it is someone else's, or
/// the platform's from before releases were labelled: either way the build changes nothing of it until a person says
/// it is the platform's (<see cref="AdoptCommand"/>).
/// </summary>
internal sealed class OwnedReleases(Func<PlatformCluster> cluster, OwnershipLabel ownership, string? helmDriver)
{
    public static OwnedReleases Of(BuildContext context) =>
        new(() => context.Cluster, context.HelmfileSpec.Ownership, context.EnvironmentVariable("HELM_DRIVER"));

    /// <summary>Where helm keeps its records: HELM_DRIVER=sql and memory keep them out of the cluster, where they cannot be told apart.</summary>
    string Storage => HelmReleaseRecords.Storage(helmDriver) ?? throw new ConfigurationRefusal(
        $"HELM_DRIVER={helmDriver} keeps helm's releases outside {cluster().Context}, so the build cannot tell the platform's releases " +
        $"(labelled {ownership.Selector}) from anyone else's, and changes none. Nothing was changed. Unset HELM_DRIVER (helm's default keeps them in Secrets), or set it to configmap.");

    /// <summary>The latest revision of every release helm keeps in these namespaces, whoever installed it.</summary>
    public async Task<IReadOnlyList<HelmRevisionRecord>> InAsync(IEnumerable<string> namespaces, CancellationToken ct)
    {
        var storage = Storage;
        var found = new List<HelmRevisionRecord>();
        foreach (var ns in namespaces.Distinct(StringComparer.Ordinal))
            found.AddRange(await ClusterReader.AskAsync(cluster(), (k, t) => HelmReleaseRecords.LatestInAsync(k, storage, ns, t), ct));
        return found;
    }

    public bool Owns(HelmRevisionRecord release) => ownership.Marks(release.Labels);

    /// <summary>The releases of <paramref name="releases"/> (helmfile.yaml's, those this run deploys) that exist without the label.</summary>
    public async Task<IReadOnlyList<HelmRevisionRecord>> ForeignAsync(IReadOnlyList<Release> releases, CancellationToken ct)
    {
        var declared = releases.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        return (await InAsync(releases.Select(r => r.Namespace), ct)).Where(r => declared.Contains(r.Id) && !Owns(r)).ToList();
    }

    /// <summary>
    /// How a person adopts a release that really is the platform's: the label on its records, every revision (helm
    /// merges the latest revision's labels into the next one: pkg/action/upgrade.go mergeCustomLabels).
    /// </summary>
    public string AdoptCommand(HelmRevisionRecord release) =>
        $"kubectl --context {cluster().Context} label {Storage} --namespace {release.Namespace} --selector owner=helm,name={release.Release} {ownership.Selector}";

    /// <summary>Up's refusal: a release helmfile would upgrade exists without the label. Before any change.</summary>
    public async Task RefuseForeignAsync(IReadOnlyList<Release> releases, CancellationToken ct)
    {
        var foreign = await ForeignAsync(releases, ct);
        if (foreign.Count == 0) return;
        var context = cluster().Context;
        throw new BuildFailure(
            $"release{(foreign.Count == 1 ? "" : "s")} {string.Join(", ", foreign.Select(r => $"{r.Release} (namespace {r.Namespace})"))} already " +
            $"exist{(foreign.Count == 1 ? "s" : "")} in {context} without the label {ownership.Selector}: helmfile would upgrade " +
            $"{(foreign.Count == 1 ? "it" : "them")}, and the platform never changes a release it did not install. Nothing was changed." + Environment.NewLine +
            $"  fix: uninstall {(foreign.Count == 1 ? "it" : "them")} (helm --kube-context {context} uninstall <name> --namespace <namespace>), or use another cluster; " +
            "only if it really is this platform's (installed before releases were labelled, say): " +
            string.Join("; ", foreign.Select(AdoptCommand)));
    }
}
