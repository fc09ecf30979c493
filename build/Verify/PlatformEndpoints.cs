using System.Text.Json;
using System.Text.RegularExpressions;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Process;
using k8s.Models;

namespace DataPlatform.Build.Verify;

/// <summary>
/// A hostname a route serves, the LoadBalancer address that serves it (an IP, or the host name a cloud load balancer
/// gives instead), and a path worth asking for.
/// </summary>
internal sealed record ServedHost(string Host, string? Address, string Path, string Source);

/// <summary>A CloudNativePG cluster reachable from outside: its LoadBalancer service and its application secret.</summary>
internal sealed record PostgresTarget(string Namespace, string Cluster, string Service, string? Address, int Port, string AppSecret);

/// <summary>
/// Where the platform answers, found in what is deployed (routes, services, CNPG clusters) rather than restated:
/// the hostnames come from the Ingress, HTTPRoute and IngressRoute objects, the addresses from their LoadBalancers.
/// </summary>
internal static partial class PlatformEndpoints
{
    [GeneratedRegex(@"Host\(([^)]*)\)")]
    private static partial Regex HostRule();

    [GeneratedRegex(@"PathPrefix\(\s*`([^`]*)`")]
    private static partial Regex PathPrefixRule();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Quoted();

    /// <summary>Traefik's own LoadBalancer service: the entry point of every web route.</summary>
    public static V1Service? Traefik(ClusterState state) =>
        state.Services.FirstOrDefault(s => s.Spec?.Type == "LoadBalancer" && Label(s, "app.kubernetes.io/name") == "traefik");

    public static IReadOnlyList<ServedHost> Hosts(ClusterState state)
    {
        var traefikAddress = Traefik(state) is { } traefik ? LoadBalancer.Address(traefik) : null;
        var hosts = new List<ServedHost>();

        foreach (var ingress in state.Ingresses)
        {
            // Ingress status is set when the controller publishes its service; otherwise the class's controller serves it.
            var ingressStatus = ingress.Status?.LoadBalancer?.Ingress ?? [];
            var address = ingressStatus.Select(i => i.Ip).FirstOrDefault(i => !string.IsNullOrEmpty(i))
                ?? ingressStatus.Select(i => i.Hostname).FirstOrDefault(h => !string.IsNullOrEmpty(h))
                ?? IngressClassAddress(state, ingress) ?? traefikAddress;
            foreach (var rule in ingress.Spec?.Rules ?? [])
                if (!string.IsNullOrEmpty(rule.Host))
                    hosts.Add(new ServedHost(rule.Host, address, rule.Http?.Paths?.FirstOrDefault()?.Path ?? "/", $"ingress {ingress.Namespace()}/{ingress.Name()}"));
        }
        foreach (var route in state.HttpRoutes ?? [])
        {
            var address = route.Items("spec", "parentRefs").Select(p => GatewayAddress(state, p, route.Str("metadata", "namespace"))).FirstOrDefault(i => i is not null) ?? traefikAddress;
            var path = route.Items("spec", "rules").SelectMany(r => r.Items("matches")).Select(m => m.Str("path", "value")).FirstOrDefault(p => p is not null) ?? "/";
            foreach (var host in route.Items("spec", "hostnames").Select(h => h.GetString()).OfType<string>())
                hosts.Add(new ServedHost(host, address, path, $"httproute {route.Id()}"));
        }
        foreach (var route in state.IngressRoutes ?? [])
            foreach (var rule in route.Items("spec", "routes").Select(r => r.Str("match")).OfType<string>())
            {
                var path = PathPrefixRule().Match(rule) is { Success: true } prefix ? prefix.Groups[1].Value : "/";
                foreach (Match host in HostRule().Matches(rule))
                    foreach (Match name in Quoted().Matches(host.Groups[1].Value))
                        hosts.Add(new ServedHost(name.Groups[1].Value, traefikAddress, path, $"ingressroute {route.Id()}"));
            }

        // A wildcard is a certificate's business, not a name anyone can resolve.
        return hosts.Where(h => !h.Host.Contains('*')).DistinctBy(h => h.Host).OrderBy(h => h.Host, StringComparer.Ordinal).ToList();
    }

    static string? IngressClassAddress(ClusterState state, V1Ingress ingress)
    {
        var cls = ingress.Spec?.IngressClassName is { } name
            ? state.IngressClasses.FirstOrDefault(c => c.Name() == name)
            : state.IngressClasses.FirstOrDefault(c => c.Metadata.Annotations?.Get("ingressclass.kubernetes.io/is-default-class") == "true");
        // The controller string names the product ("traefik.io/ingress-controller"); its service carries that name.
        var controller = cls?.Spec?.Controller;
        if (controller is null) return null;
        return state.Services.Where(s => s.Spec?.Type == "LoadBalancer" && Label(s, "app.kubernetes.io/name") is { Length: > 0 } app && controller.Contains(app))
            .Select(LoadBalancer.Address).FirstOrDefault(address => address is not null);
    }

    static string? GatewayAddress(ClusterState state, JsonElement parentRef, string? routeNamespace)
    {
        if ((parentRef.Str("kind") ?? "Gateway") != "Gateway") return null;
        var ns = parentRef.Str("namespace") ?? routeNamespace;
        var gateway = (state.Gateways ?? []).FirstOrDefault(g => g.Str("metadata", "name") == parentRef.Str("name") && g.Str("metadata", "namespace") == ns);
        return gateway.ValueKind == JsonValueKind.Undefined ? null
            : gateway.Items("status", "addresses").Where(a => (a.Str("type") ?? "IPAddress") is "IPAddress" or "Hostname").Select(a => a.Str("value")).FirstOrDefault(v => v is not null);
    }

    /// <summary>The hostname whose Ingress backend is a service of the given app (app label), excluding its -console service.</summary>
    public static string? HostOfApp(ClusterState state, string app)
    {
        foreach (var ingress in state.Ingresses)
            foreach (var rule in ingress.Spec?.Rules ?? [])
                foreach (var path in rule.Http?.Paths ?? [])
                {
                    var backend = path.Backend?.Service?.Name;
                    var service = state.Services.FirstOrDefault(s => s.Namespace() == ingress.Namespace() && s.Name() == backend);
                    if (service is not null && Label(service, "app") == app && !service.Name().EndsWith("-console") && !string.IsNullOrEmpty(rule.Host))
                        return rule.Host;
                }
        return null;
    }

    /// <summary>Each CloudNativePG Cluster with a LoadBalancer service in its namespace; CNPG writes the login to &lt;cluster&gt;-app.</summary>
    public static IReadOnlyList<PostgresTarget> Postgres(ClusterState state) =>
        (state.PostgresClusters ?? [])
            .SelectMany(cluster =>
            {
                var ns = cluster.Str("metadata", "namespace");
                var name = cluster.Str("metadata", "name") ?? "?";
                return state.Services
                    .Where(s => s.Namespace() == ns && s.Spec?.Type == "LoadBalancer")
                    .Select(s => new PostgresTarget(ns!, name, s.Name(), LoadBalancer.Address(s),
                        s.Spec.Ports?.FirstOrDefault()?.Port ?? 5432, $"{name}-app"));
            })
            .ToList();

    static string? Label(V1Service service, string key) => service.Metadata.Labels?.Get(key);
}
