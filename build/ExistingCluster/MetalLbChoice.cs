using DataPlatform.Build.Frosting;
using DataPlatform.Build.MetalLb;
using DataPlatform.Build.Platform;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// Whether this run installs MetalLB, and how helmfile leaves it out when it does not. A kind cluster always gets it (the
/// range comes from the kind network). An existing cluster gets it only when METALLB_IP_RANGE names the addresses (bare
/// metal); otherwise the cluster's own LoadBalancer provider (a cloud load balancer, k3s ServiceLB) gives the addresses.
/// MetalLB's releases carry the label `loadBalancer: metallb` in helmfile.yaml; leaving them out is helmfile's own
/// selector `--selector loadBalancer!=metallb` (pkg/state/release_filters.go: a release without the label matches a
/// negative term), and `helmfile apply` skips the needs the selector leaves out by default (cmd/apply.go: --skip-needs
/// defaults to true; pkg/state/state_run.go plans with WithoutDependencies), so traefik's need on kubedeploy-metallb
/// is dropped, not an error.
/// </summary>
internal static class MetalLbChoice
{
    public const string Label = "loadBalancer";
    public const string Value = "metallb";

    /// <summary>The selector that leaves MetalLB's releases out.</summary>
    public static string WithoutMetalLb => $"{Label}!={Value}";

    public static bool Installs(TargetCluster target, PlatformEnvironment variables) =>
        target.IsKind || variables.Find(MetalLbService.Variable) is { Length: > 0 };

    /// <summary>The helmfile selectors for this target: none on kind, or when MetalLB is installed.</summary>
    public static IReadOnlyList<string> Selectors(TargetCluster target, PlatformEnvironment variables) =>
        Installs(target, variables) ? [] : [WithoutMetalLb];

    /// <summary>helmfile.yaml's releases this run deploys: all of them, or all but those labelled as MetalLB's.</summary>
    public static HelmfileSpec Deployed(HelmfileSpec spec, TargetCluster target, Func<PlatformEnvironment> variables)
    {
        if (target.IsKind || Installs(target, variables())) return spec;
        var metalLb = LabelledReleases(spec.Path);
        return spec with { Releases = spec.Releases.Where(r => !metalLb.Contains(r.Id)).ToList() };
    }

    /// <summary>The releases (namespace/name) whose labels name MetalLB, read from helmfile.yaml itself.</summary>
    public static IReadOnlySet<string> LabelledReleases(string helmfilePath)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(helmfilePath)) stream.Load(reader);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (stream.Documents.FirstOrDefault()?.RootNode is not YamlMappingNode root ||
            !root.Children.TryGetValue(new YamlScalarNode("releases"), out var releases) || releases is not YamlSequenceNode list) return ids;
        foreach (var release in list.OfType<YamlMappingNode>())
        {
            string? Scalar(YamlMappingNode node, string key) =>
                node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode s ? s.Value : null;
            if (release.Children.TryGetValue(new YamlScalarNode("labels"), out var labels) && labels is YamlMappingNode map && Scalar(map, Label) == Value)
                ids.Add($"{Scalar(release, "namespace")}/{Scalar(release, "name")}");
        }
        return ids;
    }

    /// <summary>
    /// METALLB_IP_RANGE on an existing cluster: only its form can be checked (there is no kind network to hold it
    /// against); a bad one is the user's mistake, named with where it was set.
    /// </summary>
    public static MetalLbAddresses Preset(PlatformEnvironment variables)
    {
        var preset = variables.Find(MetalLbService.Variable)!.Trim();
        var source = variables.SourceOf(MetalLbService.Variable);
        var where = source is { Line: { } line } ? $"{source.File}:{line}" : source?.File ?? VariableSource.Environment;
        if (!AddressRange.TryParse(preset, out _, out var problem))
            throw new ConfigurationRefusal($"{where}: {MetalLbService.Variable}={preset} {problem}. Give MetalLB free addresses of the nodes' own network, " +
                "as first-last (192.168.1.240-192.168.1.250) or a CIDR (192.168.1.240/28), or unset it to use the cluster's own LoadBalancer provider.");
        return new MetalLbAddresses(preset, $"{MetalLbService.Variable} ({where})");
    }
}
