using DataPlatform.Build.KindCluster;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.MetalLb;

/// <summary>The MetalLB range, and where it came from (a preset variable, the docker network, or a plan).</summary>
internal sealed record MetalLbAddresses(string Range, string Source);

/// <summary>What helmfile's templates read, worked out from the variables and the cluster.</summary>
internal static class DeploymentInputs
{
    public static async Task<MetalLbAddresses> MetalLbRangeAsync(ClusterOutcome cluster, Docker docker, PlatformEnvironment variables, CancellationToken ct)
    {
        if (!cluster.IsReachable) return new MetalLbAddresses("<computed once the cluster exists>", "plan");
        var (range, source) = await new MetalLbService(docker, variables).ResolveAsync(ct);
        return new MetalLbAddresses(range, source);
    }

    /// <summary>
    /// A range from TEST-NET-1 (RFC 5737, never routed), for rendering the charts before the kind network exists. Only
    /// values/metallb-extra-objects.yaml.gotmpl reads METALLB_IP_RANGE, into the IPAddressPool's addresses: no image
    /// depends on it, so the image check renders with this when the real range cannot be known yet.
    /// </summary>
    public const string PlaceholderRange = "192.0.2.240-192.0.2.249";

    /// <summary>The preset METALLB_IP_RANGE, or <see cref="PlaceholderRange"/>: what the image check renders with before the cluster exists.</summary>
    public static MetalLbAddresses MetalLbRangeBeforeCluster(PlatformEnvironment variables) =>
        variables.Find(MetalLbService.Variable) is { Length: > 0 } preset
            ? new MetalLbAddresses(preset.Trim(), MetalLbService.Variable)
            : new MetalLbAddresses(PlaceholderRange, "a placeholder: the kind network does not exist yet, and no image depends on the range");

    /// <summary>.env (secrets included, never in argv) plus the values the build computes.</summary>
    public static IReadOnlyDictionary<string, string> HelmfileEnvironment(PlatformEnvironment variables, MetalLbAddresses metalLb, string registryHtpasswd) =>
        new Dictionary<string, string>(variables.Values)
        {
            ["METALLB_IP_RANGE"] = metalLb.Range,
            ["REGISTRY_HTPASSWD"] = registryHtpasswd,
        };
}
