using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>
/// Every object that relies on something another release makes (its CRD, its issuer, a CA bundle, a Secret) sits in a
/// release that needs that release, directly or through others. The edges are derived from the objects themselves,
/// so adding an object with a new dependency, or removing a `needs`, fails here. Helm 4 waits for custom resources
/// to be Ready (kstatus): without the edge, a release can wait its whole timeout on an issuer that is not there yet.
/// </summary>
public sealed class ReleaseDependencyTests
{
    /// <summary>
    /// API groups whose chart cannot be found from the group's own labels (cert-manager.io → chart cert-manager,
    /// traefik.io → traefik, metallb.io → metallb are found that way). Checked before the labels, because
    /// trust.cert-manager.io would otherwise match cert-manager.
    /// </summary>
    static readonly Dictionary<string, string> ChartOfGroup = new()
    {
        ["trust.cert-manager.io"] = "trust-manager",   // Bundle
        ["postgresql.cnpg.io"] = "cloudnative-pg",      // Cluster
    };

    /// <summary>
    /// Groups no release installs: Kubernetes' own (no dot, or *.k8s.io), which includes the Gateway API, whose CRDs
    /// the build applies from gateway-api.yaml before `helmfile apply`.
    /// </summary>
    static bool IsBuiltIn(string group) => !group.Contains('.') || group.EndsWith(".k8s.io", StringComparison.Ordinal);

    /// <summary>A thing a release makes and another reads: ("crd", group), ("ClusterIssuer", name), ("Secret", name)...</summary>
    sealed record Resource(string Kind, string Name)
    {
        public override string ToString() => $"{Kind} {Name}";
    }

    sealed record Use(PlatformRelease Release, Resource Resource, string Why);

    [Fact]
    public void Every_custom_object_group_is_installed_by_a_release()
    {
        foreach (var obj in PlatformModel.Objects().Where(o => !IsBuiltIn(o.Group)))
        {
            Assert.True(CrdRelease(obj.Group) is not null,
                $"{obj}: no release installs the CRDs of API group {obj.Group}. Add the release, or name its chart in ChartOfGroup.");
        }
    }

    [Fact]
    public void Every_object_sits_in_a_release_that_needs_whatever_it_relies_on()
    {
        var produced = Producers().ToLookup(p => p.Resource, p => p.Release.Id);
        var uses = Uses().ToList();
        Assert.NotEmpty(uses);

        var problems = new List<string>();
        foreach (var use in uses)
        {
            var makers = produced[use.Resource].ToList();
            if (makers.Count == 0)
            {
                problems.Add($"{use.Why} relies on {use.Resource}, which no release makes.");
                continue;
            }

            var closure = PlatformModel.NeedsClosure(use.Release);
            if (!makers.Any(m => m == use.Release.Id || closure.Contains(m)))
                problems.Add($"{use.Why} relies on {use.Resource} from {string.Join(" or ", makers)}: add it to the needs of {use.Release.Id} in helmfile.yaml.");
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
    }

    static string? CrdRelease(string group)
    {
        var labels = group.Split('.')[..^1]; // without the top-level domain
        var chart = ChartOfGroup.GetValueOrDefault(group);
        var candidates = chart is not null ? [chart] : labels;
        return candidates.Select(c => PlatformModel.Releases.FirstOrDefault(r => r.ChartName == c)?.Id).FirstOrDefault(id => id is not null);
    }

    static IEnumerable<(PlatformRelease Release, Resource Resource)> Producers()
    {
        var byId = PlatformModel.Releases.ToDictionary(r => r.Id);
        foreach (var group in PlatformModel.Objects().Select(o => o.Group).Where(g => !IsBuiltIn(g)).Distinct())
        {
            if (CrdRelease(group) is { } id) yield return (byId[id], new Resource("crd", group));
        }

        foreach (var obj in PlatformModel.Objects())
        {
            switch (obj.Kind)
            {
                case "ClusterIssuer" or "Issuer":
                    yield return (obj.Release, new Resource(obj.Kind, obj.Name));
                    break;
                case "Certificate" when obj.Spec.Scalar("secretName") is { } secret:
                    yield return (obj.Release, new Resource("Secret", secret));
                    break;
                case "Secret":
                    yield return (obj.Release, new Resource("Secret", obj.Name));
                    break;
                // MetalLB hands LoadBalancer addresses out of a pool; without one, a LoadBalancer Service waits for ever.
                case "IPAddressPool":
                    yield return (obj.Release, AnyAddressPool);
                    break;
                // trust-manager writes a Bundle's target ConfigMap, named after the Bundle, in every namespace.
                case "Bundle" when (obj.Spec.Get("target") as YamlMappingNode)?.Get("configMap") is not null:
                    yield return (obj.Release, new Resource("ConfigMap", obj.Name));
                    break;
            }
        }
    }

    static IEnumerable<Use> Uses()
    {
        foreach (var obj in PlatformModel.Objects())
        {
            if (!IsBuiltIn(obj.Group))
            {
                yield return new Use(obj.Release, new Resource("crd", obj.Group), $"{obj} (its CRD)");
            }

            if (obj.Spec.Get("issuerRef") is YamlMappingNode issuer)
                yield return new Use(obj.Release, new Resource(issuer.Scalar("kind") ?? "Issuer", issuer.Scalar("name") ?? ""), $"{obj} (issuerRef)");

            if ((obj.Spec.Get("ca") as YamlMappingNode)?.Scalar("secretName") is { } caSecret)
                yield return new Use(obj.Release, new Resource("Secret", caSecret), $"{obj} (spec.ca.secretName)");

            // Traefik ServersTransport: rootCAs[].configMap / .secret
            foreach (var rootCa in obj.Spec.Items("rootCAs").OfType<YamlMappingNode>())
            {
                if (rootCa.Scalar("configMap") is { } configMap) yield return new Use(obj.Release, new Resource("ConfigMap", configMap), $"{obj} (rootCAs)");
                if (rootCa.Scalar("secret") is { } secret) yield return new Use(obj.Release, new Resource("Secret", secret), $"{obj} (rootCAs)");
            }

            // trust-manager Bundle: sources[].secret.name / configMap.name
            foreach (var source in obj.Spec.Items("sources").OfType<YamlMappingNode>())
            {
                if ((source.Get("secret") as YamlMappingNode)?.Scalar("name") is { } secret) yield return new Use(obj.Release, new Resource("Secret", secret), $"{obj} (sources)");
                if ((source.Get("configMap") as YamlMappingNode)?.Scalar("name") is { } configMap) yield return new Use(obj.Release, new Resource("ConfigMap", configMap), $"{obj} (sources)");
            }
        }

        // A LoadBalancer Service, in a chart's values (Traefik's service.type) or an object's spec (a CloudNativePG
        // Cluster's managed service): Helm 4's kstatus wait does not wait for its address, so nothing but `needs` makes
        // the pool exist before the Service asks for an address.
        foreach (var release in PlatformModel.Releases)
        {
            if (HasLoadBalancerService(PlatformModel.Values(release)))
                yield return new Use(release, AnyAddressPool, $"values of {release.Id} (a Service of type LoadBalancer)");
        }

        // Chart values that name a Secret the chart does not make (MinIO's users[].existingSecret, and the like).
        foreach (var release in PlatformModel.Releases)
        {
            foreach (var secret in ExistingSecrets(PlatformModel.Values(release)))
                yield return new Use(release, new Resource("Secret", secret), $"values of {release.Id} (existingSecret)");
        }
    }

    static readonly Resource AnyAddressPool = new("IPAddressPool", "(any MetalLB pool)");

    static bool HasLoadBalancerService(YamlNode node) => node switch
    {
        YamlMappingNode mapping => mapping.Children.Any(kv =>
            kv.Key is YamlScalarNode { Value: "type" } && kv.Value is YamlScalarNode { Value: "LoadBalancer" } || HasLoadBalancerService(kv.Value)),
        YamlSequenceNode sequence => sequence.Children.Any(HasLoadBalancerService),
        _ => false,
    };

    static IEnumerable<string> ExistingSecrets(YamlNode node) => node switch
    {
        YamlMappingNode mapping => mapping.Children.SelectMany(kv =>
            kv.Key is YamlScalarNode { Value: "existingSecret" } && kv.Value is YamlScalarNode { Value.Length: > 0 } name
                ? [name.Value!]
                : kv.Key is YamlScalarNode { Value: "extraObjects" } ? [] : ExistingSecrets(kv.Value)),
        YamlSequenceNode sequence => sequence.Children.SelectMany(ExistingSecrets),
        _ => [],
    };
}
