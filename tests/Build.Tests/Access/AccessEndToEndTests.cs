using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Verify;

namespace DataPlatform.Build.Tests.Access;

/// <summary>
/// The access mode end to end, through the real ./build.sh: the stand-in docker answers `docker info` with an output
/// captured from each engine (tests/standins/docker-info) and runs, lists and removes containers as Docker does; the
/// platform's context points at a fake Kubernetes API serving the LoadBalancer services. No Docker, no cluster.
/// </summary>
public sealed class AccessEndToEndTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>
{
    const string ProxyName = FixturePlatform.ClusterName + "-access-proxy";

    /// <summary>A machine with the platform's cluster, its API served by the fake, host ports moved to free ones.</summary>
    sealed class Machine : IAsyncDisposable
    {
        public required FakeKubeApi Api { get; init; }
        public required Scenario Scenario { get; init; }
        public ClusterScenario Cluster { get; } = new();
        public int HttpsPort { get; init; }
        public int HttpPort { get; init; }
        public int PostgresPort { get; init; }

        public IReadOnlyList<JsonElement> Containers =>
            JsonDocument.Parse(Scenario.ReadState("access_containers") ?? "[]").RootElement.EnumerateArray().ToList();

        public async ValueTask DisposeAsync()
        {
            Scenario.Dispose();
            await Api.DisposeAsync();
        }
    }

    async Task<Machine> GivenAsync(string engine, string controlPlaneIp = "127.0.0.1")
    {
        var api = await FakeKubeApi.StartAsync();
        var machine = new Machine
        {
            Api = api,
            Scenario = new Scenario(build) { ApiServer = api.Url },
            HttpPort = LoopbackServer.FreePort(), HttpsPort = LoopbackServer.FreePort(), PostgresPort = LoopbackServer.FreePort(),
        };
        // Traefik's LoadBalancer answers on 80 and 443, as the chart's web and websecure entry points do.
        machine.Cluster.Services[0].Spec.Ports = [new k8s.Models.V1ServicePort { Port = 80 }, new k8s.Models.V1ServicePort { Port = 443 }];
        machine.Cluster.ServeFrom(api);
        machine.Scenario.SetState("docker_engine", engine);
        // 127.0.0.1:6443 refuses at once: the kind network does not answer from the host (the published engines' case).
        machine.Scenario.SetState("control_plane_ip", controlPlaneIp);
        machine.Scenario.Variables["PLATFORM_HTTP_PORT"] = machine.HttpPort.ToString();
        machine.Scenario.Variables["PLATFORM_HTTPS_PORT"] = machine.HttpsPort.ToString();
        machine.Scenario.Variables["PLATFORM_POSTGRES_PORT"] = machine.PostgresPort.ToString();
        await machine.Scenario.GivenPlatformClusterAsync();
        return machine;
    }

    public static TheoryData<string> PublishedEngines => new() { "desktop-macos", "desktop-wsl2", "rootless", "podman" };

    [Theory]
    [MemberData(nameof(PublishedEngines))]
    public async Task Where_the_kind_network_is_not_routed_the_proxy_is_created_once_hosts_point_at_loopback_and_Clean_removes_it(string engine)
    {
        await using var machine = await GivenAsync(engine);
        var scenario = machine.Scenario;

        var first = await scenario.RunBuildAsync("--target=PublishPorts", "--exclusive");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Access mode published", first.Text);
        var run = Assert.Single(Docker(first, "run"));
        var argv = run.Argv.ToList();
        Assert.Equal("kind", argv[argv.IndexOf("--network") + 1]);
        Assert.Equal(ProxyName, argv[argv.IndexOf("--name") + 1]);
        Assert.Contains(argv, a => a.StartsWith($"127.0.0.1:{machine.HttpsPort}:"));
        Assert.Contains(argv, a => a.StartsWith($"127.0.0.1:{machine.HttpPort}:"));
        Assert.Contains(argv, a => a.StartsWith($"127.0.0.1:{machine.PostgresPort}:"));
        Assert.DoesNotContain(argv, a => a.StartsWith("0.0.0.0:") || System.Text.RegularExpressions.Regex.IsMatch(a, @"^\d+:\d+$"));
        var config = argv.Single(a => a.StartsWith("HAPROXY_CONFIG="));
        Assert.Contains($"server target {ClusterScenario.TraefikIp}:443", config);
        Assert.Contains($"server target {ClusterScenario.PgIp}:5432", config);
        Assert.Equal("running", Assert.Single(machine.Containers).GetProperty("state").GetString());

        var second = await scenario.RunBuildAsync("--target=PublishPorts", "--exclusive");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain(second.Calls, c => c.IsMutating);
        Assert.Contains("up to date", second.Text);
        Assert.Single(machine.Containers);

        var hosts = await scenario.RunBuildAsync("--target=PrintHosts", "--exclusive");

        Assert.True(hosts.ExitCode == 0, hosts.ToString());
        Assert.Contains("127.0.0.1 minio-console.data-platform.internal", hosts.Text);
        Assert.DoesNotContain(ClusterScenario.TraefikIp, hosts.Output);
        Assert.Contains($"https://minio-console.data-platform.internal:{machine.HttpsPort}/", hosts.Text);
        Assert.Contains($"pg-source.data-platform.internal:{machine.PostgresPort}", hosts.Text);

        var clean = await scenario.RunBuildAsync("--target=Clean");

        Assert.True(clean.ExitCode == 0, clean.ToString());
        var remove = Assert.Single(Docker(clean, "rm"));
        Assert.Equal(["rm", "--force", ProxyName], remove.Argv);
        Assert.Empty(machine.Containers);
        Assert.Empty(scenario.Clusters);
        Assert.Empty(first.Violations.Concat(second.Violations).Concat(hosts.Violations).Concat(clean.Violations));
    }

    [Fact]
    public async Task On_Linux_with_rootful_Docker_nothing_is_published_and_hosts_point_at_the_LoadBalancers()
    {
        // The control plane answers on its kind-network address: a loopback alias stands in for it.
        var address = IPAddress.Parse("127.61.0.2");
        var listener = new TcpListener(address, 6443);
        listener.Start();
        try
        {
            await using var machine = await GivenAsync("linux-rootful", address.ToString());

            var publish = await machine.Scenario.RunBuildAsync("--target=PublishPorts", "--exclusive");
            var hosts = await machine.Scenario.RunBuildAsync("--target=PrintHosts", "--exclusive");
            var clean = await machine.Scenario.RunBuildAsync("--target=Clean");

            Assert.True(publish.ExitCode == 0, publish.ToString());
            Assert.Contains("Access mode direct", publish.Text);
            Assert.Empty(Docker(publish, "run"));
            Assert.DoesNotContain(publish.Calls, c => c.IsMutating);
            Assert.True(hosts.ExitCode == 0, hosts.ToString());
            Assert.Contains($"{ClusterScenario.TraefikIp} minio-console.data-platform.internal", hosts.Text);
            Assert.DoesNotContain("127.0.0.1 minio", hosts.Text);
            Assert.Contains("https://minio-console.data-platform.internal/", hosts.Text);
            Assert.Empty(Docker(clean, "rm"));
            Assert.Empty(machine.Containers);
        }
        finally { listener.Stop(); }
    }

    [Fact]
    public async Task Published_mode_forced_after_a_direct_Up_creates_the_proxy_on_the_moved_ports_and_direct_again_removes_it()
    {
        // The GitHub workflow's sequence on its Linux runner: the detected direct mode first, then PLATFORM_ACCESS=published
        // with moved ports (the variables GivenAsync sets), as its second Up step exports them; then detection again.
        var address = IPAddress.Parse("127.61.0.3");
        var listener = new TcpListener(address, 6443);
        listener.Start();
        try
        {
            await using var machine = await GivenAsync("linux-rootful", address.ToString());

            var direct = await machine.Scenario.RunBuildAsync("--target=PublishPorts", "--exclusive");
            machine.Scenario.Variables["PLATFORM_ACCESS"] = "published";
            var published = await machine.Scenario.RunBuildAsync("--target=PublishPorts", "--exclusive");
            var hosts = await machine.Scenario.RunBuildAsync("--target=PrintHosts", "--exclusive");
            machine.Scenario.Variables.Remove("PLATFORM_ACCESS");
            var detectedAgain = await machine.Scenario.RunBuildAsync("--target=PublishPorts", "--exclusive");

            Assert.True(direct.ExitCode == 0, direct.ToString());
            Assert.Empty(Docker(direct, "run"));
            Assert.True(published.ExitCode == 0, published.ToString());
            Assert.Contains("PLATFORM_ACCESS=published", published.Text);
            var argv = Assert.Single(Docker(published, "run")).Argv;
            Assert.Contains(argv, a => a.StartsWith($"127.0.0.1:{machine.HttpsPort}:"));
            Assert.Contains(argv, a => a.StartsWith($"127.0.0.1:{machine.PostgresPort}:"));
            Assert.True(hosts.ExitCode == 0, hosts.ToString());
            Assert.Contains("127.0.0.1 minio-console.data-platform.internal", hosts.Text);
            Assert.Contains($"https://minio-console.data-platform.internal:{machine.HttpsPort}/", hosts.Text);
            Assert.True(detectedAgain.ExitCode == 0, detectedAgain.ToString());
            Assert.Equal(["rm", "--force", ProxyName], Assert.Single(Docker(detectedAgain, "rm")).Argv);
            Assert.Empty(machine.Containers);
        }
        finally { listener.Stop(); }
    }

    [Fact]
    public async Task An_explicit_PLATFORM_ACCESS_overrides_detection()
    {
        await using var machine = await GivenAsync("desktop-macos");
        machine.Scenario.Variables["PLATFORM_ACCESS"] = "direct";

        var run = await machine.Scenario.RunBuildAsync("--target=PublishPorts", "--exclusive");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("PLATFORM_ACCESS=direct", run.Text);
        Assert.Empty(Docker(run, "run"));
    }

    [Fact]
    public async Task Up_twice_creates_the_proxy_once_and_a_LoadBalancer_added_to_the_cluster_is_published_without_a_code_change()
    {
        await using var machine = await GivenAsync("desktop-macos");
        await machine.Scenario.GivenAsync("kind", "delete", "cluster", "--name", FixturePlatform.ClusterName);

        // Up's chain up to PublishPorts (Verify would probe the 172.18.x addresses, which do not exist here).
        var first = await machine.Scenario.RunBuildAsync("--target=PublishPorts");
        var second = await machine.Scenario.RunBuildAsync("--target=PublishPorts");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.True(Docker(first, "run").Concat(Docker(second, "run")).Count() == 1, $"{first}\n{second}");
        Assert.Empty(Docker(second, "rm"));

        machine.Cluster.Services.Add(ClusterScenario.LoadBalancer("analytics", "trino", "172.18.255.247", new(), 8081));
        var third = await machine.Scenario.RunBuildAsync("--target=PublishPorts");

        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Equal(["rm", "run"], third.Calls.Where(c => c.IsMutating && c.Tool == "docker").Select(c => c.Words[0]));
        Assert.Contains("127.0.0.1:8081:", string.Join(' ', Assert.Single(Docker(third, "run")).Argv));
        Assert.Contains("configuration changed", third.Text);
        Assert.Single(machine.Containers);
    }

    [Fact]
    public async Task A_host_port_held_by_another_program_stops_Up_before_anything_changes_naming_the_variable()
    {
        await using var machine = await GivenAsync("desktop-macos");
        await machine.Scenario.GivenAsync("kind", "delete", "cluster", "--name", FixturePlatform.ClusterName);
        var holder = new TcpListener(IPAddress.Loopback, machine.HttpsPort);
        holder.Start();
        try
        {
            var run = await machine.Scenario.RunBuildAsync("--target=Up");

            Assert.Equal(1, run.ExitCode);
            Assert.Contains($"{machine.HttpsPort} (HTTPS (Traefik websecure))", run.Text);
            Assert.Contains("PLATFORM_HTTPS_PORT=<free port>", run.Text);
            Assert.DoesNotContain(run.Calls, c => c.IsMutating);
            Assert.False(run.HasStackTrace, run.ToString());
        }
        finally { holder.Stop(); }
    }

    [Fact]
    public async Task A_port_the_engine_refuses_fails_naming_the_variables_that_move_the_ports()
    {
        await using var machine = await GivenAsync("desktop-wsl2");
        machine.Scenario.SetState("host_ports_taken", machine.PostgresPort.ToString());

        var run = await machine.Scenario.RunBuildAsync("--target=PublishPorts", "--exclusive");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("address already in use", run.Text);
        Assert.Contains("PLATFORM_POSTGRES_PORT", run.Text);
        Assert.False(run.HasStackTrace, run.ToString());
        Assert.Empty(machine.Containers);
    }

    [Fact]
    public async Task Plan_prints_the_proxy_commands_instead_of_running_them()
    {
        await using var machine = await GivenAsync("desktop-macos");

        var run = await machine.Scenario.RunBuildAsync("--target=PublishPorts", "--exclusive", "--plan");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(Docker(run, "run"));
        Assert.Contains("plan: would run docker run", run.Text);
        Assert.Empty(machine.Containers);
    }

    /// <summary>The docker calls with that verb (docker's Signature also holds the container or image name).</summary>
    static IEnumerable<StandinCall> Docker(BuildRun run, string verb) => run.Calls.Where(c => c.Tool == "docker" && c.Words.FirstOrDefault() == verb);
}
