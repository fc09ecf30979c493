using DataPlatform.Build.Host;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;
using k8s.Models;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>One permission Up needs on an existing cluster, and whether SelfSubjectAccessReview granted it.</summary>
internal sealed record Permission(string Verb, string Group, string Resource, bool Allowed, string? Reason = null)
{
    public string Name => $"{Verb} {(Group.Length == 0 ? Resource : $"{Resource}.{Group}")}";
}

/// <summary>What Doctor reads of an existing cluster, in process and read-only, before anything changes.</summary>
internal sealed record ClusterFacts
{
    public required string Context { get; init; }
    public required VersionInfo Server { get; init; }
    public required ToolVersion KubectlPin { get; init; }
    public required IReadOnlyList<Permission> Permissions { get; init; }
    public required IReadOnlyList<V1StorageClass> StorageClasses { get; init; }
    public required IReadOnlyList<V1Service> Services { get; init; }
    public required IReadOnlyList<V1Node> Nodes { get; init; }
    public required IReadOnlyList<V1IngressClass> IngressClasses { get; init; }
    public required IReadOnlyList<V1CustomResourceDefinition> Crds { get; init; }
    public required IReadOnlyList<V1Namespace> Namespaces { get; init; }
    /// <summary>helmfile.yaml's ownership label: what the platform put there carries it.</summary>
    public required OwnershipLabel Ownership { get; init; }
    /// <summary>The releases of helmfile.yaml (those this run deploys) that helm already keeps without <see cref="Ownership"/>.</summary>
    public IReadOnlyList<HelmRevisionRecord> ForeignReleases { get; init; } = [];
    /// <summary>The namespaces helmfile.yaml's releases (those this run deploys) use.</summary>
    public required IReadOnlyList<string> PlatformNamespaces { get; init; }
    /// <summary>METALLB_IP_RANGE when set: MetalLB is then installed and gives the addresses.</summary>
    public string? MetalLbRange { get; init; }
    public required string GatewayVersion { get; init; }
    public string? GatewayChannel { get; init; }
}

/// <summary>
/// Doctor's findings on an existing cluster, each with its fix: a pure function of <see cref="ClusterFacts"/>, so each
/// rule is tested without a cluster. Failures stop Up before any change; warnings are printed and Up goes on.
/// </summary>
internal static class ClusterFindings
{
    /// <summary>What Up creates cluster-wide: its namespaces, the charts' CRDs, cluster roles and admission webhooks.</summary>
    public static readonly IReadOnlyList<(string Verb, string Group, string Resource)> NeededPermissions =
    [
        ("create", "", "namespaces"),
        ("create", "apiextensions.k8s.io", "customresourcedefinitions"),
        ("create", "rbac.authorization.k8s.io", "clusterroles"),
        ("create", "rbac.authorization.k8s.io", "clusterrolebindings"),
        ("create", "admissionregistration.k8s.io", "validatingwebhookconfigurations"),
        ("create", "admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ];

    /// <summary>
    /// A cloud's cloud-controller-manager provisions LoadBalancers: node.spec.providerID starts with the provider's
    /// scheme (kubernetes/cloud-provider; aws://, gce://, azure://, ...).
    /// </summary>
    static readonly string[] CloudProviders = ["aws", "gce", "azure", "digitalocean", "linode", "hcloud", "oci", "ibm", "exoscale", "scaleway", "openstack", "vsphere"];

    const string HelmReleaseNamespace = "meta.helm.sh/release-namespace";
    const string DefaultStorageClass = "storageclass.kubernetes.io/is-default-class";
    const string DefaultIngressClass = "ingressclass.kubernetes.io/is-default-class";

    public static IReadOnlyList<HostCheck> Examine(ClusterFacts facts) =>
        [Version(facts), .. facts.Permissions.Select(Permitted), StorageClass(facts), LoadBalancer(facts), .. Clashes(facts)];

    static HostCheck Version(ClusterFacts facts)
    {
        const string name = "kubernetes version";
        var minor = int.TryParse(new string((facts.Server.Minor ?? "").TakeWhile(char.IsAsciiDigit).ToArray()), out var m) ? m : -1;
        var detail = $"{facts.Server.GitVersion} (kubectl {facts.KubectlPin} is pinned in tools.yaml)";
        if (facts.Server.Major != "1" || minor < 0)
            return HostCheck.Warning(name, $"{detail}: the server's version could not be read", "check `kubectl version` against the cluster");
        return Math.Abs(minor - facts.KubectlPin.Minor) <= 1
            ? HostCheck.Ok(name, detail)
            : HostCheck.Failure(name, $"{detail}: kubectl supports one minor version of skew either way (1.{facts.KubectlPin.Minor - 1} to 1.{facts.KubectlPin.Minor + 1})",
                $"upgrade the cluster, or pin a kubectl within one minor version of 1.{minor} in tools.yaml (kubectl: version)");
    }

    static HostCheck Permitted(Permission p) => p.Allowed
        ? HostCheck.Ok($"may {p.Name}", "allowed (SelfSubjectAccessReview)")
        : HostCheck.Failure($"may {p.Name}", $"not allowed for this context's user{(string.IsNullOrEmpty(p.Reason) ? "" : $" ({p.Reason})")}",
            $"Up installs cluster-wide objects: use a context with cluster-admin, or ask for `{p.Verb}` on {p.Resource} (kubectl auth can-i {p.Verb} {p.Resource}{(p.Group.Length == 0 ? "" : "." + p.Group)})");

    static HostCheck StorageClass(ClusterFacts facts)
    {
        const string name = "default StorageClass";
        var defaults = facts.StorageClasses.Where(s => s.Metadata?.Annotations?.TryGetValue(DefaultStorageClass, out var v) == true && v == "true").Select(s => s.Name()).ToList();
        return defaults.Count switch
        {
            1 => HostCheck.Ok(name, defaults[0]),
            0 => HostCheck.Failure(name, facts.StorageClasses.Count == 0 ? "the cluster has no StorageClass" : $"none of {string.Join(", ", facts.StorageClasses.Select(s => s.Name()))} is the default",
                "MinIO and PostgreSQL claim volumes from the default class: mark one with " +
                $"`kubectl annotate storageclass <name> {DefaultStorageClass}=true`, or install a provisioner (k3s ships local-path)"),
            _ => HostCheck.Warning(name, $"several are marked default: {string.Join(", ", defaults)}", "leave one default: the API picks the newest, which may not be the one you mean"),
        };
    }

    /// <summary>
    /// Who gives LoadBalancer Services an address: MetalLB when METALLB_IP_RANGE is set; otherwise proof that a provider
    /// works (a LoadBalancer Service already holding an address), a cloud's nodes (providerID), or k3s's ServiceLB.
    /// </summary>
    static HostCheck LoadBalancer(ClusterFacts facts)
    {
        const string name = "LoadBalancer provider";
        if (facts.MetalLbRange is { Length: > 0 } range) return HostCheck.Ok(name, $"MetalLB, installed by the platform, with METALLB_IP_RANGE={range}");
        if (facts.Services.FirstOrDefault(s => s.Spec?.Type == "LoadBalancer" && s.Status?.LoadBalancer?.Ingress?.Count > 0) is { } served)
            return HostCheck.Ok(name, $"working: {served.Namespace()}/{served.Name()} has an address");
        var cloud = facts.Nodes.Select(n => n.Spec?.ProviderID?.Split("://")[0]).FirstOrDefault(p => p is not null && CloudProviders.Contains(p));
        if (cloud is not null) return HostCheck.Ok(name, $"the cloud's load balancers (nodes run on {cloud})");
        if (facts.Nodes.Any(n => n.Metadata?.Labels?.TryGetValue("node.kubernetes.io/instance-type", out var t) == true && t == "k3s"))
            return HostCheck.Warning(name, "k3s: its ServiceLB is assumed (unless k3s runs with --disable servicelb)",
                "nothing if ServiceLB runs; otherwise set METALLB_IP_RANGE in .env.local to free addresses of the nodes' network");
        return HostCheck.Failure(name, "none found: no LoadBalancer Service has an address, and the nodes name no cloud provider",
            "set METALLB_IP_RANGE in .env.local to free addresses of the nodes' network (the platform then installs MetalLB), or install a LoadBalancer provider");
    }

    static IEnumerable<HostCheck> Clashes(ClusterFacts facts)
    {
        var owned = facts.Namespaces.Where(facts.Ownership.Owns).Select(n => n.Name()).ToHashSet();
        bool Ours(IMetadata<V1ObjectMeta> o) => facts.Ownership.Owns(o) || o.Metadata?.Annotations?.TryGetValue(HelmReleaseNamespace, out var ns) == true && owned.Contains(ns);

        var foreign = OwnedNamespaces.Foreign(facts.PlatformNamespaces, facts.Namespaces, facts.Ownership);
        yield return foreign.Count == 0
            ? HostCheck.Ok("platform namespaces", "free, or the platform's own")
            : HostCheck.Failure("platform namespaces", $"{string.Join(", ", foreign)} exist without the label {facts.Ownership.Selector}: someone else's",
                "the platform never changes what it did not create: remove what runs there, or use another cluster");
        yield return facts.ForeignReleases.Count == 0
            ? HostCheck.Ok("platform releases", "not installed yet, or labelled as the platform's")
            : HostCheck.Failure("platform releases", $"{string.Join(", ", facts.ForeignReleases.Select(r => r.Id))} exist without the label {facts.Ownership.Selector}: someone else's, or installed before releases were labelled",
                "the platform never upgrades a release it did not install: uninstall it (helm uninstall), or use another cluster; only if it really is this platform's, " +
                $"label its records (configmap instead of secret under HELM_DRIVER=configmap): kubectl --context {facts.Context} label secret --namespace <namespace> --selector owner=helm,name=<release> {facts.Ownership.Selector}");

        var otherDefaults = facts.IngressClasses.Where(c => !Ours(c) && c.Metadata?.Annotations?.TryGetValue(DefaultIngressClass, out var v) == true && v == "true").ToList();
        var others = facts.IngressClasses.Where(c => !Ours(c)).ToList();
        if (otherDefaults.Count > 0)
            yield return HostCheck.Failure("ingress controllers", $"{Describe(otherDefaults)} is the default IngressClass, and the platform's Traefik makes itself default too",
                "k3s: start it with --disable traefik (or HelmChartConfig); elsewhere uninstall that controller, or remove its default-class annotation");
        else if (others.Count > 0)
            yield return HostCheck.Warning("ingress controllers", $"another ingress controller: {Describe(others)}",
                "they coexist when each keeps its own class; on one address, only one can hold ports 80 and 443 (k3s: --disable traefik)");
        else yield return HostCheck.Ok("ingress controllers", "none besides the platform's");

        foreach (var (what, groups) in new[] { ("cert-manager", new[] { "cert-manager.io", "acme.cert-manager.io" }), ("trust-manager", ["trust.cert-manager.io"]),
                                             ("MetalLB", ["metallb.io"]) })
        {
            // MetalLB installed by someone else is the cluster's LoadBalancer provider, unless the platform installs its own.
            if (what == "MetalLB" && string.IsNullOrEmpty(facts.MetalLbRange)) continue;
            var crds = facts.Crds.Where(c => groups.Contains(c.Spec?.Group) && !Ours(c)).ToList();
            if (crds.Count > 0)
                yield return HostCheck.Failure(what, $"already installed, not by the platform ({crds.Count} CRDs, e.g. {crds[0].Name()})",
                    $"two {what}s fight over the same objects: uninstall the existing one, or use another cluster");
        }

        var gateway = facts.Crds.FirstOrDefault(c => c.Name() == "gateways.gateway.networking.k8s.io");
        if (gateway is not null && !Ours(gateway))
        {
            var annotations = gateway.Metadata?.Annotations ?? new Dictionary<string, string>();
            var version = annotations.TryGetValue("gateway.networking.k8s.io/bundle-version", out var v) ? v : "unknown";
            var channel = annotations.TryGetValue("gateway.networking.k8s.io/channel", out var c) ? c : "unknown";
            yield return version == facts.GatewayVersion && (facts.GatewayChannel is null || channel == facts.GatewayChannel)
                ? HostCheck.Ok("Gateway API CRDs", $"{version} ({channel}), installed by someone else: used as they are, never removed")
                : HostCheck.Failure("Gateway API CRDs", $"{version} ({channel}) installed by someone else; the platform needs {facts.GatewayVersion} ({facts.GatewayChannel ?? "any channel"})",
                    "replacing them would change every Gateway controller of the cluster: align gateway-api.yaml with the installed bundle, or upgrade the bundle yourself");
        }
    }

    static string Describe(IEnumerable<V1IngressClass> classes) => string.Join(", ", classes.Select(c => $"{c.Name()} ({c.Spec?.Controller})"));
}
