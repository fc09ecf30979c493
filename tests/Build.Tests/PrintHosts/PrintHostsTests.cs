using DataPlatform.Build.Kube;
using DataPlatform.Build.PrintHosts;
using DataPlatform.Build.Tests.Verify;
using k8s.Models;

namespace DataPlatform.Build.Tests.PrintHosts;

public sealed class PrintHostsTests
{
    static readonly IReadOnlyList<HostsLine> Lines =
    [
        new("172.18.255.245", ["minio.data-platform.internal", "registry.data-platform.internal"]),
        new("172.18.255.246", ["pg-source.data-platform.internal"]),
    ];

    [Fact]
    public void Names_are_grouped_by_the_IP_that_serves_them_in_numeric_order()
    {
        var lines = HostsFile.Group([
            ("registry.x", "172.18.255.245"), ("pg-source.x", "172.18.255.246"), ("minio.x", "172.18.255.245"),
            ("minio.x", "172.18.255.245"), ("other.x", "172.18.255.25"), ("pending.x", null),
        ]);

        Assert.Equal(["172.18.255.25 other.x", "172.18.255.245 minio.x registry.x", "172.18.255.246 pg-source.x"], lines.Select(l => l.ToString()));
    }

    [Fact]
    public void Hosts_come_from_ingresses_ingressroutes_httproutes_and_the_postgres_load_balancer()
    {
        var scenario = new ClusterScenario();
        var state = new ClusterState
        {
            Services = scenario.Services,
            Ingresses = scenario.Ingresses,
            IngressRoutes = scenario.IngressRoutes.Select(ToJson).ToList(),
            PostgresClusters = scenario.PostgresClusters.Select(ToJson).ToList(),
            Gateways = [ToJson(new { metadata = new { @namespace = "traefik", name = "traefik-gateway" }, status = new { addresses = new[] { new { type = "IPAddress", value = "172.18.255.247" } } } })],
            HttpRoutes = [ToJson(new { metadata = new { @namespace = "apps", name = "whoami" },
                spec = new { parentRefs = new[] { new { name = "traefik-gateway", @namespace = "traefik" } }, hostnames = new[] { "whoami.data-platform.internal", "*.wild.internal" } } })],
        };

        var lines = PrintHostsService.Lines(state, "data-platform.internal").Select(l => l.ToString());

        Assert.Equal([
            $"{ClusterScenario.TraefikIp} minio-console.data-platform.internal minio.data-platform.internal traefik.data-platform.internal",
            $"{ClusterScenario.PgIp} pg-source.data-platform.internal",
            "172.18.255.247 whoami.data-platform.internal",
        ], lines);
    }

    [Fact]
    public void An_ingress_without_status_is_served_by_its_class_controller_service()
    {
        var state = new ClusterState
        {
            Services = [ClusterScenario.LoadBalancer("traefik", "traefik", "172.18.255.245", new() { ["app.kubernetes.io/name"] = "traefik" }, 443)],
            IngressClasses = [new V1IngressClass { Metadata = ClusterScenario.Meta("", "traefik"), Spec = new V1IngressClassSpec { Controller = "traefik.io/ingress-controller" } }],
            Ingresses = [new V1Ingress { Metadata = ClusterScenario.Meta("registry", "registry"),
                Spec = new V1IngressSpec { IngressClassName = "traefik", Rules = [new V1IngressRule { Host = "registry.x" }] } }],
        };

        Assert.Equal(["172.18.255.245 registry.x"], PrintHostsService.Lines(state, "x").Select(l => l.ToString()));
    }

    [Fact]
    public void Writing_the_block_twice_gives_the_same_file()
    {
        var once = HostsFile.ReplaceBlock("127.0.0.1 localhost\n", "data-platform", Lines);
        var twice = HostsFile.ReplaceBlock(once, "data-platform", Lines);

        Assert.Equal(once, twice);
        Assert.Equal("""
            127.0.0.1 localhost
            # BEGIN data-platform
            172.18.255.245 minio.data-platform.internal registry.data-platform.internal
            172.18.255.246 pg-source.data-platform.internal
            # END data-platform

            """.ReplaceLineEndings("\n"), once);
    }

    [Fact]
    public void Lines_outside_the_block_are_preserved_byte_for_byte_and_the_old_block_replaced()
    {
        var before = "127.0.0.1 localhost\r\n# my own comment   \n\n";
        var after = "10.0.0.1 nas.home\n# BEGIN other-cluster\n1.2.3.4 x\n# END other-cluster\n# no newline at end";
        var existing = before + "# BEGIN data-platform\n172.18.0.9 stale.data-platform.internal\n# END data-platform\n" + after;

        var updated = HostsFile.ReplaceBlock(existing, "data-platform", Lines);

        Assert.StartsWith(before, updated);
        Assert.EndsWith(after, updated);
        Assert.DoesNotContain("stale", updated);
        Assert.Contains("172.18.255.246 pg-source.data-platform.internal", updated);
    }

    [Fact]
    public void A_file_without_a_final_newline_gets_the_block_on_its_own_lines()
    {
        var updated = HostsFile.ReplaceBlock("127.0.0.1 localhost", "data-platform", Lines);

        Assert.StartsWith("127.0.0.1 localhost\n# BEGIN data-platform\n", updated);
    }

    [Fact]
    public async Task PrintHosts_reads_the_cluster_and_writes_the_hosts_file_block_idempotently()
    {
        await using var f = await VerifyFixture.StartAsync();
        var hosts = Path.Combine(f.Root, "hosts");
        File.WriteAllText(hosts, "127.0.0.1 localhost\n");
        var service = new PrintHostsService(f.Cluster, f.Kind.Name, "data-platform.internal", f.Console);

        await service.RunAsync(hosts, CancellationToken.None);
        var first = File.ReadAllText(hosts);
        await service.RunAsync(hosts, CancellationToken.None);

        Assert.Equal(first, File.ReadAllText(hosts));
        Assert.Contains($"# BEGIN data-platform\n{ClusterScenario.TraefikIp} minio-console.data-platform.internal minio.data-platform.internal traefik.data-platform.internal\n" +
                        $"{ClusterScenario.PgIp} pg-source.data-platform.internal\n# END data-platform\n", first);
        Assert.Contains("Add to /etc/hosts", f.Output.ToString());
        Assert.Contains("already up to date: nothing written", Words(f.Output.ToString()));
        Assert.Equal("127.0.0.1 localhost\n", File.ReadAllText(hosts + ".data-platform.bak"));
        Assert.Empty(f.Decoy.RequestPaths);
    }

    [Theory]
    [InlineData("5.15.167.4-microsoft-standard-WSL2", true)]
    [InlineData("4.4.0-19041-Microsoft", true)]
    [InlineData("6.8.0-45-generic", false)]
    public async Task Under_WSL_PrintHosts_names_the_hosts_file_Windows_browsers_read_and_the_rights_it_needs(string kernel, bool wsl)
    {
        await using var f = await VerifyFixture.StartAsync();
        var service = new PrintHostsService(f.Cluster, f.Kind.Name, "data-platform.internal", f.Console) { KernelRelease = kernel };

        await service.RunAsync(null, CancellationToken.None);

        var output = Words(f.Output.ToString());
        Assert.Equal(wsl, output.Contains(PrintHostsService.WindowsHostsFile));
        Assert.Equal(wsl, output.Contains("administrator"));
    }

    /// <summary>The console wraps long lines at 80 columns; the words are what a user reads.</summary>
    static string Words(string output) => System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

    static System.Text.Json.JsonElement ToJson(object value) => System.Text.Json.JsonSerializer.SerializeToElement(value);
}
