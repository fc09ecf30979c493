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
        var (version, channel) = clusterIsPlanned ? (null, null) : ReadInstalled(await kubectl.GetCrdAsync(ProbeCrd, ct), kubectl.GetCrdCommand(ProbeCrd).Display);
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
    /// The installed bundle's version and channel; none when kubectl finds no such CRD (it exits non-zero). An answer that
    /// succeeded but is not the CRD's JSON (a proxy's banner, an HTML page) is not read as "not installed": that would
    /// apply the bundle over whatever is there.
    /// </summary>
    internal static (string? Version, string? Channel) ReadInstalled(Process.ToolResult result, string command)
    {
        if (!result.Succeeded) return (null, null);
        const string expected = "the CRD's JSON";
        const string check = "check that kubectl talks to the cluster directly (no proxy or banner in between: HTTPS_PROXY, NO_PROXY, your kubeconfig's server), then run the same target again.";
        try
        {
            using var doc = JsonDocument.Parse(result.StandardOutput);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Process.ToolOutput.NotUnderstood(command, result.StandardOutput, expected, check);
            if (!doc.RootElement.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object
                || !metadata.TryGetProperty("annotations", out var annotations) || annotations.ValueKind != JsonValueKind.Object)
                return (null, null);
            string? Get(string key) => annotations.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return (Get(VersionAnnotation), Get(ChannelAnnotation));
        }
        catch (JsonException)
        {
            throw Process.ToolOutput.NotUnderstood(command, result.StandardOutput, expected, check);
        }
    }
}
