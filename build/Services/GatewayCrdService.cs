using DataPlatform.Build.Kube;
using k8s.Models;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;
using Spectre.Console;

namespace DataPlatform.Build.Services;

/// <summary>
/// Applies the pinned Gateway API bundle (version and channel from gateway-api.yaml) unless the cluster already has that exact bundle.
/// The installed bundle is read in process (<see cref="IClusterReads"/>); only the apply is a kubectl call. A CRD that
/// cannot be read counts as not installed: the apply then says what is wrong with the cluster.
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
        var (version, channel) = clusterIsPlanned ? (null, null) : Installed((await cluster.CustomResourceDefinitionAsync(ProbeCrd, ct)).Value);
        if (!NeedsApply(spec.Version, spec.Channel, version, channel))
        {
            console.MarkupLineInterpolated($"Gateway API {spec.Version} ({spec.Channel}) is already installed: skipping.");
            return false;
        }
        console.MarkupLineInterpolated($"Gateway API: installed {version ?? "none"} ({channel ?? "-"}), wanted {spec.Version} ({spec.Channel}).");
        await kubectl.ServerSideApplyAsync(spec.Url, ct);
        return true;
    }

    static (string? Version, string? Channel) Installed(V1CustomResourceDefinition? crd)
    {
        var annotations = crd?.Metadata?.Annotations;
        string? Get(string key) => annotations is not null && annotations.TryGetValue(key, out var value) ? value : null;
        return (Get(VersionAnnotation), Get(ChannelAnnotation));
    }
}
