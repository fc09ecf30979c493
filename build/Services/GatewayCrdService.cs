using System.Text.Json;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;
using Spectre.Console;

namespace DataPlatform.Build.Services;

/// <summary>Applies the pinned Gateway API bundle (version and channel from gateway-api.yaml) unless the cluster already has that exact bundle.</summary>
internal sealed class GatewayCrdService(Kubectl kubectl, GatewayApiSpec spec, IAnsiConsole console)
{
    const string ProbeCrd = "gateways.gateway.networking.k8s.io";
    const string VersionAnnotation = "gateway.networking.k8s.io/bundle-version";
    const string ChannelAnnotation = "gateway.networking.k8s.io/channel";

    public static bool NeedsApply(string desiredVersion, string? desiredChannel, string? installedVersion, string? installedChannel) =>
        installedVersion != desiredVersion || installedChannel != desiredChannel;

    /// <param name="clusterIsPlanned">--plan is about to create the cluster: there is nothing to query (and no context yet).</param>
    public async Task<bool> EnsureAsync(CancellationToken ct, bool clusterIsPlanned = false)
    {
        var (version, channel) = clusterIsPlanned ? (null, null) : ReadInstalled((await kubectl.GetCrdAsync(ProbeCrd, ct)).StandardOutput);
        if (!NeedsApply(spec.Version, spec.Channel, version, channel))
        {
            console.MarkupLineInterpolated($"Gateway API {spec.Version} ({spec.Channel}) is already installed: skipping.");
            return false;
        }
        console.MarkupLineInterpolated($"Gateway API: installed {version ?? "none"} ({channel ?? "-"}), wanted {spec.Version} ({spec.Channel}).");
        await kubectl.ServerSideApplyAsync(spec.Url, ct);
        return true;
    }

    static (string? Version, string? Channel) ReadInstalled(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return (null, null);
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("metadata", out var metadata) || !metadata.TryGetProperty("annotations", out var annotations))
                return (null, null);
            string? Get(string key) => annotations.TryGetProperty(key, out var v) ? v.GetString() : null;
            return (Get(VersionAnnotation), Get(ChannelAnnotation));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
