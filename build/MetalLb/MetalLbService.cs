using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.MetalLb;

/// <summary>Where METALLB_IP_RANGE comes from: a preset value wins, otherwise the docker network kind creates.</summary>
internal sealed class MetalLbService(Docker docker, PlatformEnvironment variables)
{
    /// <summary>kind always attaches its nodes to the docker network of this name.</summary>
    public const string KindNetwork = "kind";

    public const string Variable = "METALLB_IP_RANGE";

    public async Task<(string Range, string Source)> ResolveAsync(CancellationToken ct)
    {
        if (variables.Find(Variable) is { Length: > 0 } preset) return await CheckPresetAsync(preset.Trim(), ct);

        var result = await docker.NetworkSubnetsAsync(KindNetwork, ct);
        if (!result.Succeeded && result.StandardError.Contains("Cannot connect to the Docker daemon"))
            throw new BuildFailure("Docker is not running, so the kind network cannot be read. Start Docker, then run the same target again.");
        if (!result.Succeeded)
            throw new BuildFailure($"docker network '{KindNetwork}' was not found ({result.StandardError.Trim()}). " +
                $"kind creates it with the cluster: run ./build.sh --target=CreateCluster first, or set {Variable}.");
        if (Subnets(result.StandardOutput).Length == 0)
            throw new BuildFailure(
                $"Docker answered with nothing: `{Docker.NetworkSubnetsCommand(KindNetwork).Display}` succeeded but printed no subnet, so the " +
                $"address range for MetalLB cannot be computed." + Environment.NewLine +
                $"  check: `docker network inspect {KindNetwork}` should list a subnet such as 172.18.0.0/16 under IPAM.Config. If it lists none, the " +
                $"network was made by hand or by another tool: run ./build.sh --target=Clean, then `docker network rm {KindNetwork}`, so kind recreates it " +
                $"with the cluster; or set {Variable} in .env.local.");
        try
        {
            var subnet = MetalLbRange.SelectIPv4Subnet(Subnets(result.StandardOutput), KindNetwork);
            return (MetalLbRange.FromSubnet(subnet), $"docker network {KindNetwork} ({subnet})");
        }
        catch (MetalLbRangeException e)
        {
            throw new BuildFailure(e.Message, e);
        }
    }

    /// <summary>
    /// A preset range must be one MetalLB reads and, when the kind network exists, lie inside its IPv4 subnet: MetalLB
    /// announces addresses over L2 on that network only, so an address outside it would never answer.
    /// </summary>
    async Task<(string Range, string Source)> CheckPresetAsync(string preset, CancellationToken ct)
    {
        if (!AddressRange.TryParse(preset, out var range, out var problem))
            throw new BuildFailure($"{Variable}={preset} {problem}. Fix it in .env.local (or the environment), or unset it so the build computes it from the kind network.");

        var result = await docker.NetworkSubnetsAsync(KindNetwork, ct);
        // No network yet (the cluster is planned or not created) or no docker: nothing to compare with, MetalLB will tell.
        if (!result.Succeeded) return (preset, Variable);
        var subnet = Subnets(result.StandardOutput).FirstOrDefault(s => !s.Contains(':'));
        if (subnet is null || !AddressRange.TryParse(subnet, out var network, out _)) return (preset, Variable);
        if (!range.IsInside(network))
            throw new BuildFailure(
                $"{Variable}={preset} is not inside the docker network '{KindNetwork}' subnet {subnet}: MetalLB would hand out addresses " +
                $"no node answers for. Use a range inside {subnet} (the build's default would be {MetalLbRange.FromSubnetOrNull(subnet) ?? "the last ten addresses"}), " +
                $"or unset {Variable} so the build computes it.");
        return (preset, Variable);
    }

    static string[] Subnets(string output) => output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
