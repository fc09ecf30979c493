using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Services;

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

    /// <summary>.env (secrets included, never in argv) plus the values the build computes.</summary>
    public static IReadOnlyDictionary<string, string> HelmfileEnvironment(PlatformEnvironment variables, MetalLbAddresses metalLb, string registryHtpasswd) =>
        new Dictionary<string, string>(variables.Values)
        {
            ["METALLB_IP_RANGE"] = metalLb.Range,
            ["REGISTRY_HTPASSWD"] = registryHtpasswd,
        };
}
