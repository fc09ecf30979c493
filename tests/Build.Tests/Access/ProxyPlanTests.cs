using DataPlatform.Build.Access;
using DataPlatform.Build.Host;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Tests.Verify;
using k8s.Models;

namespace DataPlatform.Build.Tests.Access;

/// <summary>What the published-mode proxy forwards is decided from the cluster's LoadBalancer services alone: pure, no process.</summary>
public class ProxyPlanTests
{
    static readonly IReadOnlyList<PublishedPort> Defaults = PublishedPorts.From(_ => null);

    static V1Service Lb(string ns, string name, string? ip, params int[] ports)
    {
        var service = ClusterScenario.LoadBalancer(ns, name, ip, new(), ports[0]);
        service.Spec.Ports = ports.Select(p => new V1ServicePort { Port = p, Protocol = "TCP" }).ToList();
        return service;
    }

    static readonly List<V1Service> Platform =
    [
        Lb("traefik", "traefik", ClusterScenario.TraefikIp, 80, 443),
        Lb("postgresql", "pg-source", ClusterScenario.PgIp, 5432),
        new() { Metadata = ClusterScenario.Meta("minio", "minio"), Spec = new() { Type = "ClusterIP", Ports = [new() { Port = 9000 }] } },
    ];

    [Fact]
    public void Every_LoadBalancer_port_is_forwarded_to_its_address_and_ClusterIP_services_are_not()
    {
        var plan = ProxyPlan.From(Platform, Defaults);

        Assert.Equal(
            [(80, ClusterScenario.TraefikIp, 80), (443, ClusterScenario.TraefikIp, 443), (5432, ClusterScenario.PgIp, 5432)],
            plan.Forwards.Select(f => (f.HostPort, f.TargetIp, f.TargetPort)));
        Assert.Empty(plan.Skipped);
        Assert.Equal(plan.Forwards.Count, plan.Forwards.Select(f => f.ListenPort).Distinct().Count());
        Assert.All(plan.Forwards, f => Assert.True(f.ListenPort >= 1024, "the proxy runs unprivileged inside its container"));
    }

    [Fact]
    public void The_port_variables_move_the_host_ports_and_nothing_else()
    {
        var moved = PublishedPorts.From(name => name switch { "PLATFORM_HTTP_PORT" => "8080", "PLATFORM_HTTPS_PORT" => "8443", "PLATFORM_POSTGRES_PORT" => "15432", _ => null });

        var plan = ProxyPlan.From(Platform, moved);

        Assert.Equal([(8080, 80, "PLATFORM_HTTP_PORT"), (8443, 443, "PLATFORM_HTTPS_PORT"), (15432, 5432, "PLATFORM_POSTGRES_PORT")],
            plan.Forwards.Select(f => (f.HostPort, f.TargetPort, f.Variable)));
    }

    [Fact]
    public void A_LoadBalancer_added_to_the_cluster_is_published_on_its_own_port_number_without_a_code_change()
    {
        var services = Platform.Append(Lb("analytics", "trino", "172.18.255.247", 8081)).ToList();

        var plan = ProxyPlan.From(services, Defaults);

        var added = Assert.Single(plan.Forwards, f => f.Service == "analytics/trino");
        Assert.Equal((8081, "172.18.255.247", 8081), (added.HostPort, added.TargetIp, added.TargetPort));
        Assert.Null(added.Variable);
        Assert.Contains("server target 172.18.255.247:8081", HaproxyConfig.Render(plan.Forwards));
    }

    [Fact]
    public void What_cannot_be_published_is_skipped_with_the_reason_never_silently()
    {
        var udp = Lb("dns", "coredns-lb", "172.18.255.248", 53);
        udp.Spec.Ports[0].Protocol = "UDP";
        var services = Platform.Concat([Lb("second", "postgres", "172.18.255.249", 5432), Lb("pending", "no-address", null, 9090), udp]).ToList();

        var plan = ProxyPlan.From(services, Defaults);

        Assert.Equal(3, plan.Forwards.Count);
        Assert.Contains(plan.Skipped, s => s.Contains("pending/no-address") && s.Contains("no LoadBalancer address"));
        Assert.Contains(plan.Skipped, s => s.Contains("dns/coredns-lb") && s.Contains("TCP only"));
        // Ordered by namespace: postgresql/pg-source takes 5432 first; the second one is named with the variable to move.
        Assert.Contains(plan.Skipped, s => s.Contains("second/postgres") && s.Contains("postgresql/pg-source") && s.Contains("PLATFORM_POSTGRES_PORT"));
    }

    [Fact]
    public void The_configuration_and_its_hash_do_not_depend_on_the_order_the_API_lists_services_in()
    {
        var forward = ProxyPlan.From(Platform, Defaults);
        var backward = ProxyPlan.From(Enumerable.Reverse(Platform).ToList(), Defaults);

        Assert.Equal(HaproxyConfig.Render(forward.Forwards), HaproxyConfig.Render(backward.Forwards));
        Assert.Equal(HaproxyConfig.Hash(HaproxyConfig.Render(forward.Forwards), PortProxyService.Image, forward.Forwards),
            HaproxyConfig.Hash(HaproxyConfig.Render(backward.Forwards), PortProxyService.Image, backward.Forwards));
    }

    [Fact]
    public void A_new_address_or_a_moved_port_changes_the_hash_so_the_proxy_is_recreated()
    {
        string HashOf(IEnumerable<V1Service> services, IReadOnlyList<PublishedPort> ports)
        {
            var plan = ProxyPlan.From(services, ports);
            return HaproxyConfig.Hash(HaproxyConfig.Render(plan.Forwards), PortProxyService.Image, plan.Forwards);
        }
        var original = HashOf(Platform, Defaults);

        Assert.NotEqual(original, HashOf([Lb("traefik", "traefik", "172.18.255.250", 80, 443), Platform[1]], Defaults));
        Assert.NotEqual(original, HashOf(Platform, PublishedPorts.From(n => n == "PLATFORM_HTTPS_PORT" ? "8443" : null)));
        Assert.Equal(original, HashOf(Platform, Defaults));
    }

    [Fact]
    public void The_proxy_image_is_pinned_by_digest()
    {
        Assert.Matches(@"^haproxy:[0-9.]+-alpine@sha256:[0-9a-f]{64}$", PortProxyService.Image);
    }

    [Fact]
    public void Published_access_routes_LoadBalancer_addresses_to_loopback_and_direct_access_leaves_them_alone()
    {
        var forwards = ProxyPlan.From(Platform, PublishedPorts.From(n => n == "PLATFORM_HTTPS_PORT" ? "8443" : null)).Forwards;
        var published = new PublishedAccess(new AccessDecision(AccessMode.Published, "test", false), forwards);
        var direct = new PublishedAccess(new AccessDecision(AccessMode.Direct, "test", false), []);

        Assert.Equal("127.0.0.1:8443", published.Route(ClusterScenario.TraefikIp, 443).ToString());
        Assert.Equal("127.0.0.1:5432", published.Route(ClusterScenario.PgIp, 5432).ToString());
        Assert.Equal("127.0.0.1", published.Address(ClusterScenario.TraefikIp));
        Assert.Equal(8443, published.HostPort(ClusterScenario.TraefikIp, 443));
        Assert.Equal($"{ClusterScenario.TraefikIp}:443", direct.Route(ClusterScenario.TraefikIp, 443).ToString());
        Assert.Equal(ClusterScenario.TraefikIp, direct.Address(ClusterScenario.TraefikIp));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_cloud_load_balancers_host_name_is_dialled_by_name_in_either_mode(bool published)
    {
        var mode = published ? AccessMode.Published : AccessMode.Direct;
        const string elb = "a1b2.elb.eu-west-1.amazonaws.com";
        var forwards = ProxyPlan.From(Platform, PublishedPorts.From(_ => null)).Forwards;
        var access = new PublishedAccess(new AccessDecision(mode, "test", false), forwards);

        var route = Assert.IsType<System.Net.DnsEndPoint>(access.Route(elb, 443));

        Assert.Equal((elb, 443), (route.Host, route.Port));
        Assert.Equal($"{elb}:443", LoadBalancer.Describe(route));
    }
}
