using DataPlatform.Build.Kube;
using k8s;
using k8s.Models;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// Which CRDs of an existing cluster are the platform's, so Purge removes those and nothing else. A chart's CRDs in its
/// templates carry helm's release annotations and are found through them; two kinds carry nothing, and are labelled
/// with helmfile.yaml's ownership label when the platform installs them:
///   - the Gateway API bundle, which may be someone else's (a cloud's Gateway controller installs it): labelled only when
///     the platform applied it where there was none;
///   - the CRDs a chart ships in its crds/ directory (Traefik's): helm creates them without any annotation or label
///     (helm pkg/action/install.go installCRDs), so the ones that appeared while the platform's helmfile apply ran are
///     labelled. A CRD another team created in those same minutes would be taken for the platform's: Purge names every
///     CRD it deletes.
/// </summary>
internal static class CrdOwnership
{
    const string BundleAnnotation = "gateway.networking.k8s.io/bundle-version";

    public static async Task<bool> GatewayBundlePresentAsync(BuildContext context) =>
        (await context.ClusterReads.CustomResourceDefinitionAsync("gateways.gateway.networking.k8s.io", context.Cancellation)).Value is not null;

    /// <summary>Labels every Gateway API CRD (they carry the bundle-version annotation) as the platform's: run right after the platform applied them.</summary>
    public static async Task LabelGatewayBundleAsync(BuildContext context) =>
        await LabelAsync(context, (await ListAsync(context)).Where(c => c.Metadata?.Annotations?.ContainsKey(BundleAnnotation) == true));

    /// <summary>The names of the CRDs in the cluster now: taken before helmfile apply, to tell which appeared during it.</summary>
    public static async Task<IReadOnlySet<string>> NamesAsync(BuildContext context) =>
        (await ListAsync(context)).Select(c => c.Name()).ToHashSet(StringComparer.Ordinal);

    /// <summary>Labels the CRDs that were not there <paramref name="before"/> and are not marked yet: those the releases' charts created.</summary>
    public static async Task LabelAppearedAsync(BuildContext context, IReadOnlySet<string> before) =>
        await LabelAsync(context, (await ListAsync(context)).Where(c => !before.Contains(c.Name()) && !context.HelmfileSpec.Ownership.Owns(c)));

    static async Task<IList<V1CustomResourceDefinition>> ListAsync(BuildContext context) =>
        (await ClusterReader.AskAsync(context.Cluster, (k, t) => k.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: t), context.Cancellation)).Items;

    static async Task LabelAsync(BuildContext context, IEnumerable<V1CustomResourceDefinition> crds)
    {
        var names = crds.Select(c => c.Name()).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) return;
        await context.Runner.RunAsync(context.Kubectl.Command(["label", "customresourcedefinition", .. names, context.HelmfileSpec.Ownership.Selector, "--overwrite"]) with { Mutating = true }, context.Cancellation);
    }
}
