using DataPlatform.Build.MetalLb;
using DataPlatform.Build.KindCluster;
using DataPlatform.Build.Verify;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>What HelmfileApply and Verify hand the platform on this target: the MetalLB range (when MetalLB is installed) and the namespaces to check.</summary>
internal static class TargetInputs
{
    /// <summary>ComputeMetalLbRange's answer, or worked out now: from the kind network, METALLB_IP_RANGE on an existing cluster, or null (no MetalLB).</summary>
    public static async Task<MetalLbAddresses?> MetalLbAsync(BuildContext context, ClusterOutcome cluster)
    {
        if (context.MetalLbAddresses is { } decided) return decided;
        if (context.Target.IsKind) return await DeploymentInputs.MetalLbRangeAsync(cluster, context.Docker, context.Variables, context.Cancellation);
        return MetalLbChoice.Installs(context.Target, context.Variables) ? MetalLbChoice.Preset(context.Variables) : null;
    }

    /// <summary>helmfile's environment; without METALLB_IP_RANGE when MetalLB's releases are left out (nothing renders them).</summary>
    public static IReadOnlyDictionary<string, string> HelmfileEnvironment(BuildContext context, MetalLbAddresses? metalLb)
    {
        var environment = DeploymentInputs.HelmfileEnvironment(context.Variables, metalLb ?? new MetalLbAddresses("", ""), context.RegistryHtpasswd);
        return metalLb is not null ? environment : environment.Where(kv => kv.Key != MetalLbService.Variable).ToDictionary();
    }

    /// <summary>
    /// The namespaces whose workloads must be ready: the platform's, plus kind's own system namespaces on kind. An
    /// existing cluster's kube-system is its operator's, not the platform's to judge.
    /// </summary>
    public static IReadOnlyList<string> CheckedNamespaces(BuildContext context) =>
        context.Target.IsKind ? context.HelmfileSpec.Namespaces.Union(VerifySettings.ClusterNamespaces).ToList() : context.HelmfileSpec.Namespaces;
}
