using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Services;

/// <summary>Where METALLB_IP_RANGE comes from: a preset value wins, otherwise the docker network kind creates.</summary>
public sealed class MetalLbService(Docker docker, PlatformEnvironment variables)
{
    /// <summary>kind always attaches its nodes to the docker network of this name.</summary>
    public const string KindNetwork = "kind";

    public async Task<(string Range, string Source)> ResolveAsync(CancellationToken ct)
    {
        if (variables.Find("METALLB_IP_RANGE") is { Length: > 0 } preset) return (preset, "METALLB_IP_RANGE");

        var result = await docker.NetworkSubnetsAsync(KindNetwork, ct);
        if (!result.Succeeded && result.StandardError.Contains("Cannot connect to the Docker daemon"))
            throw new BuildFailure("Docker is not running, so the kind network cannot be read. Start Docker, then run the same target again.");
        if (!result.Succeeded)
            throw new BuildFailure($"docker network '{KindNetwork}' was not found ({result.StandardError.Trim()}). " +
                "kind creates it with the cluster: run ./build.sh --target=CreateCluster first, or set METALLB_IP_RANGE.");
        var subnets = result.StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        try
        {
            var subnet = MetalLbRange.SelectIPv4Subnet(subnets, KindNetwork);
            return (MetalLbRange.FromSubnet(subnet), $"docker network {KindNetwork} ({subnet})");
        }
        catch (MetalLbRangeException e)
        {
            throw new BuildFailure(e.Message, e);
        }
    }
}
