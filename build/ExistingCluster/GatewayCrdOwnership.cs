using DataPlatform.Build.Kube;
using k8s;
using k8s.Models;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// On an existing cluster the Gateway API CRDs may be someone else's (a cloud's Gateway controller installs them). The
/// build labels them as the platform's only when it applied them where there were none, so Purge removes only those.
/// </summary>
internal static class GatewayCrdOwnership
{
    const string BundleAnnotation = "gateway.networking.k8s.io/bundle-version";

    public static async Task<bool> PresentAsync(BuildContext context) =>
        (await context.ClusterReads.CustomResourceDefinitionAsync("gateways.gateway.networking.k8s.io", context.Cancellation)).Value is not null;

    /// <summary>Labels every Gateway API CRD (they carry the bundle-version annotation) as the platform's: run right after the platform applied them.</summary>
    public static async Task LabelAsync(BuildContext context)
    {
        var crds = await ClusterReader.AskAsync(context.Cluster, (k, t) => k.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: t), context.Cancellation);
        var names = crds.Items.Where(c => c.Metadata?.Annotations?.ContainsKey(BundleAnnotation) == true).Select(c => c.Name()).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) return;
        await context.Runner.RunAsync(context.Kubectl.Command(["label", "customresourcedefinition", .. names, context.HelmfileSpec.Ownership.Selector, "--overwrite"]) with { Mutating = true }, context.Cancellation);
    }
}
