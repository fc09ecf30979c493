using DataPlatform.Build.Host;
using DataPlatform.Build.Kube;
using k8s.Models;

namespace DataPlatform.Build.Access;

/// <summary>What the proxy forwards, and the LoadBalancer ports it leaves out with the reason (printed as warnings).</summary>
internal sealed record ProxyPlan(IReadOnlyList<ProxyForward> Forwards, IReadOnlyList<string> Skipped)
{
    /// <summary>Inside the proxy container each forward listens on its own unprivileged port, from here up.</summary>
    public const int FirstListenPort = 20000;

    /// <summary>
    /// The forwards, from the cluster's LoadBalancer services (never from a list in the code, so a LoadBalancer added to
    /// helmfile.yaml is published without a C# change). A service port equal to a published port's default (80, 443,
    /// 5432) goes to that port's host port (PLATFORM_HTTP_PORT, PLATFORM_HTTPS_PORT, PLATFORM_POSTGRES_PORT); any other
    /// TCP port is published on the same number. Left out, with the reason: a service without an address yet, a UDP/SCTP
    /// port, and a host port a service earlier in namespace/name order already took.
    /// </summary>
    public static ProxyPlan From(IEnumerable<V1Service> services, IReadOnlyList<PublishedPort> ports)
    {
        var forwards = new List<ProxyForward>();
        var skipped = new List<string>();
        var taken = new Dictionary<int, string>();
        var loadBalancers = services.Where(s => s.Spec?.Type == "LoadBalancer")
            .OrderBy(s => s.Namespace(), StringComparer.Ordinal).ThenBy(s => s.Name(), StringComparer.Ordinal);
        foreach (var service in loadBalancers)
        {
            var id = $"{service.Namespace()}/{service.Name()}";
            if (LoadBalancer.Ip(service) is not { } ip)
            {
                skipped.Add($"{id}: no LoadBalancer address yet, so nothing to forward to (run ./build.sh --target=PublishPorts again once it has one)");
                continue;
            }
            foreach (var port in service.Spec.Ports ?? [])
            {
                if ((port.Protocol ?? "TCP") != "TCP")
                {
                    skipped.Add($"{id} port {port.Port}/{port.Protocol}: the proxy forwards TCP only");
                    continue;
                }
                var declared = ports.FirstOrDefault(p => p.Default == port.Port);
                var hostPort = declared?.Port ?? port.Port;
                if (taken.TryGetValue(hostPort, out var owner))
                {
                    skipped.Add($"{id} port {port.Port}: host port {hostPort} already forwards to {owner}" +
                        (declared is null ? "" : $" (move one with {declared.Variable})"));
                    continue;
                }
                taken[hostPort] = $"{id} port {port.Port}";
                forwards.Add(new ProxyForward(id, ip, port.Port, hostPort, 0, declared?.Variable));
            }
        }
        // Ordered by host port, so the rendered configuration (and its hash) does not depend on the API's listing order.
        var ordered = forwards.OrderBy(f => f.HostPort).Select((f, i) => f with { ListenPort = FirstListenPort + i }).ToList();
        return new ProxyPlan(ordered, skipped);
    }
}
