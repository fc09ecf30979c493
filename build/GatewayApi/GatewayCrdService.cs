using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;
using Spectre.Console;

namespace DataPlatform.Build.GatewayApi;

/// <summary>
/// Applies the pinned Gateway API bundle (version and channel from gateway-api.yaml) unless the cluster already has that exact bundle.
/// The installed bundle is read in process (<see cref="IClusterReads"/>); only the apply is a kubectl call. A CRD that
/// cannot be read stops the build with why, rather than counting as not installed.
/// </summary>
internal sealed class GatewayCrdService(IClusterReads cluster, Kubectl kubectl, GatewayApiSpec spec, IAnsiConsole console)
{
    const string ProbeCrd = "gateways.gateway.networking.k8s.io";
    const string VersionAnnotation = "gateway.networking.k8s.io/bundle-version";
    const string ChannelAnnotation = "gateway.networking.k8s.io/channel";

    public static bool NeedsApply(string desiredVersion, string? desiredChannel, string? installedVersion, string? installedChannel) =>
        installedVersion != desiredVersion || installedChannel != desiredChannel;

    /// <param name="clusterIsPlanned">--plan is about to create the cluster: there is nothing to query (and no context yet).</param>
    public async Task<bool> EnsureAsync(CancellationToken ct, bool clusterIsPlanned = false)
    {
        var (version, channel) = clusterIsPlanned ? (null, null) : Installed(await cluster.CustomResourceDefinitionAsync(ProbeCrd, ct));
        if (!NeedsApply(spec.Version, spec.Channel, version, channel))
        {
            console.MarkupLineInterpolated($"Gateway API {spec.Version} ({spec.Channel}) is already installed: skipping.");
            return false;
        }
        console.MarkupLineInterpolated($"Gateway API: installed {version ?? "none"} ({channel ?? "-"}), wanted {spec.Version} ({spec.Channel}).");
        await kubectl.ServerSideApplyAsync(spec.Url, ct);
        return true;
    }

    /// <summary>
    /// The installed bundle's version and channel; none when the API says there is no such CRD. A read that failed (an
    /// API that does not answer, a proxy's page instead of the CRD's JSON) is not taken for "not installed": that would
    /// apply the bundle over whatever is there.
    /// </summary>
    static (string? Version, string? Channel) Installed(ClusterRead<KubeObject> read)
    {
        if (!read.Succeeded)
            throw new BuildFailure(
                $"Could not tell whether the Gateway API CRDs are installed: reading CRD {ProbeCrd}, {read.Problem}." + Environment.NewLine +
                "  fix: check that the cluster answers and nothing stands between you and it (HTTPS_PROXY, NO_PROXY, your kubeconfig's server), then run the same target again.");
        return (read.Value?.Annotations.GetValueOrDefault(VersionAnnotation), read.Value?.Annotations.GetValueOrDefault(ChannelAnnotation));
    }
}
