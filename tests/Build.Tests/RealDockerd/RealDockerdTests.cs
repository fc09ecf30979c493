using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Verify;

namespace DataPlatform.Build.Tests.RealDockerd;

/// <summary>
/// The build's docker side on a real daemon (the tests' private dockerd, <see cref="RealDockerdPlatform"/>), through the
/// real ./build.sh: `docker` is the real CLI and `kind` makes real node containers (busybox, not Kubernetes);
/// kubectl, helm and helmfile stay stand-ins, and the platform's Kubernetes API is the suite's fake. Every test
/// runs with PLATFORM_ACCESS set, so the build never probes a node's private address, and the tests dial 127.0.0.1 only.
/// The tests of this collection run one after another on the one daemon; each removes what it made.
/// </summary>
[Trait("Category", "RealDockerd")]
[Collection(RealDockerdCollection.Name)]
public sealed class RealDockerdTests : IAsyncLifetime
{
    const string Cluster = FixturePlatform.ClusterName;
    const string ProxyName = Cluster + "-access-proxy";
    const string MirrorLabel = "data-platform.image-cache";
    static readonly string[] Nodes = [$"{Cluster}-control-plane", $"{Cluster}-worker", $"{Cluster}-worker2"];

    readonly RealDockerdPlatform _platform;
    Scenario? _machine;
    FakeKubeApi? _api;

    public RealDockerdTests(RealDockerdPlatform platform) => _platform = platform;

    PrivateDockerd Daemon => _platform.Daemon;
    Scenario Machine => _machine!;

    public async Task InitializeAsync()
    {
        if (_platform.Unavailable is not null) return;
        _api = await FakeKubeApi.StartAsync();
        _machine = new Scenario(_platform.Build) { ApiServer = _api.Url, ImageCache = null };
        foreach (var (name, value) in _platform.BuildEnvironment) _machine.Variables[name] = value;
        _machine.Variables["PLATFORM_ACCESS"] = "published";
        _machine.Variables["PLATFORM_HTTP_PORT"] = LoopbackServer.FreePort().ToString();
        _machine.Variables["PLATFORM_HTTPS_PORT"] = LoopbackServer.FreePort().ToString();
        _machine.Variables["PLATFORM_POSTGRES_PORT"] = LoopbackServer.FreePort().ToString();
    }

    public async Task DisposeAsync()
    {
        if (_platform.Unavailable is not null) return;
        // Whatever a test made (nodes, mirrors, proxy, someone else's container, volumes) goes; the kind network stays, as under kind.
        var containers = (await Daemon.TryDockerAsync("ps", "--all", "--format", "{{.ID}} {{.Label \"" + RealDockerdPlatform.FixtureLabel + "\"}}")).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.Contains(' ')).ToArray();
        if (containers.Length > 0) await Daemon.TryDockerAsync(["rm", "--force", "--volumes", .. containers]);
        var volumes = (await Daemon.TryDockerAsync("volume", "ls", "--quiet")).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (volumes.Length > 0) await Daemon.TryDockerAsync(["volume", "rm", .. volumes]);
        // bench/real-dockerd-coverage.py counts the distinct docker command lines these runs made from the kept logs.
        if (Environment.GetEnvironmentVariable("REALDOCKERD_KEEP_CALL_LOGS") is { Length: > 0 } keep && File.Exists(Machine.Log))
            File.Copy(Machine.Log, Path.Combine(Directory.CreateDirectory(keep).FullName, $"{Guid.NewGuid():N}.jsonl"));
        _machine?.Dispose();
        if (_api is not null) await _api.DisposeAsync();
    }

    void SkipUnlessAvailable() => Skip.If(_platform.Unavailable is not null, $"RealDockerd: {_platform.Unavailable}");

    async Task<IReadOnlyList<string>> LinesAsync(params string[] arguments) =>
        (await Daemon.DockerAsync(arguments)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    async Task<string> InspectAsync(string container, string format) => (await Daemon.DockerAsync("container", "inspect", "--format", format, container)).Trim();

    static IEnumerable<StandinCall> MutatingDocker(BuildRun run) => run.Calls.Where(c => c.Tool == "docker" && c.IsMutating);

    [SkippableFact]
    public async Task Cold_Up_runs_the_mirrors_on_kind_and_writes_hosts_toml_into_every_node_then_a_warm_Up_changes_nothing()
    {
        SkipUnlessAvailable();
        var cold = await Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.True(cold.ExitCode == 0, cold.ToString());
        Assert.Empty(cold.Violations);
        // kind's node containers, named and labelled as kind names them, on kind's network.
        Assert.Equal(Nodes.Order(), (await LinesAsync("ps", "--filter", $"label=io.x-k8s.kind.cluster={Cluster}", "--format", "{{.Names}}")).Order());
        Assert.Equal("worker", await InspectAsync($"{Cluster}-worker2", "{{index .Config.Labels \"io.x-k8s.kind.role\"}}"));
        var subnet = (await Daemon.DockerAsync("network", "inspect", "kind", "--format", "{{range .IPAM.Config}}{{.Subnet}}{{end}}")).Trim();
        Assert.StartsWith(Daemon.AddressPool.Split(".0.0/")[0] + ".", subnet);   // from the private pool, never 172.17-31 or 192.168
        // Made by the fixture's earlier cluster with kind's own options, and kept when that cluster was deleted, as kind keeps it.
        Assert.Equal("true", (await Daemon.DockerAsync("network", "inspect", "kind", "--format", "{{index .Options \"com.docker.network.bridge.enable_ip_masquerade\"}}")).Trim());
        Assert.Empty(await LinesAsync("ps", "--all", "--filter", "label=io.x-k8s.kind.cluster=earlier", "--format", "{{.Names}}"));
        // The mirrors run, labelled, joined to kind, from the image the build pins (pulled by digest from the loopback registry).
        var mirrors = await LinesAsync("ps", "--filter", $"label={MirrorLabel}", "--format", "{{.Names}}|{{.State}}|{{.Networks}}|{{.Label \"" + MirrorLabel + ".image\"}}");
        Assert.Equal(FixturePlatform.MirrorContainers.Order(), mirrors.Select(m => m.Split('|')[0]).Order());
        foreach (var fields in mirrors.Select(m => m.Split('|')))
        {
            Assert.True(fields[1] == "running", $"{fields[0]} is {fields[1]}:\n{(await Daemon.TryDockerAsync("logs", "--tail", "5", fields[0])).StandardError}\n{cold}");
            Assert.Contains("kind", fields[2].Split(','));
            Assert.StartsWith(_platform.Images.RegistryHost + "/", fields[3]);
            Assert.Equal(fields[3], await InspectAsync(fields[0], "{{.Config.Image}}"));
        }
        // hosts.toml really is in every node container, and the name it sends pulls to answers on the kind network
        // (the daemon's DNS: the node asks the mirror, container to container; this test only reads files).
        var written = new Dictionary<string, string>();
        foreach (var node in Nodes)
        {
            var hosts = await Daemon.DockerAsync("exec", node, "cat", "/etc/containerd/certs.d/docker.io/hosts.toml");
            Assert.Contains("[host.\"http://data-platform-cache-docker-io:5000\"]", hosts);
            Assert.Contains("server = \"https://registry-1.docker.io\"", hosts);   // where containerd falls back to, not the mirror's upstream
            written[node] = hosts + await Daemon.DockerAsync("exec", node, "cat", "/etc/containerd/certs.d/quay.io/hosts.toml");
        }
        var answer = await Daemon.TryDockerAsync("exec", Nodes[0], "wget", "-q", "-O", "-", "http://data-platform-cache-docker-io:5000/v2/");
        var mirrorLog = (await Daemon.TryDockerAsync("logs", "--tail", "5", "data-platform-cache-docker-io")).StandardError;
        Assert.True(answer.ExitCode == 0, $"the mirror did not answer its name on the kind network: {answer.StandardError}\n{mirrorLog}");
        var mirrorIds = await LinesAsync("ps", "--filter", $"label={MirrorLabel}", "--format", "{{.ID}}");

        var warm = await Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.True(warm.ExitCode == 0, warm.ToString());
        Assert.Empty(MutatingDocker(warm));
        Assert.Contains("nothing to change", warm.Text);
        Assert.Contains("already pull", warm.Text);
        Assert.Equal(mirrorIds.Order(), (await LinesAsync("ps", "--filter", $"label={MirrorLabel}", "--format", "{{.ID}}")).Order());
        foreach (var node in Nodes)
            Assert.Equal(written[node], await Daemon.DockerAsync("exec", node, "cat", "/etc/containerd/certs.d/docker.io/hosts.toml")
                                        + await Daemon.DockerAsync("exec", node, "cat", "/etc/containerd/certs.d/quay.io/hosts.toml"));

        // A mirror that lost the kind network (kind's network recreated, a `docker network disconnect`) is joined again, and only that changes.
        const string quay = "data-platform-cache-quay-io";
        await Daemon.DockerAsync("network", "disconnect", "kind", quay);

        var rejoin = await Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.True(rejoin.ExitCode == 0, rejoin.ToString());
        Assert.Equal([$"network connect kind {quay}"], MutatingDocker(rejoin).Select(c => string.Join(' ', c.Argv)));
        Assert.Contains("kind", (await InspectAsync(quay, "{{range $name, $n := .NetworkSettings.Networks}}{{$name}} {{end}}")).Split(' '));
    }

    /// <summary>
    /// Traefik's LoadBalancer as the fake API describes it, answered for real by a busybox httpd container on the kind
    /// network at its own address: the access proxy dials it container to container; the tests only dial 127.0.0.1.
    /// </summary>
    async Task<string> GivenLoadBalancerBackendAsync(string body)
    {
        await Daemon.DockerAsync("run", "--detach", "--name", "lb-backend", "--network", "kind", "--entrypoint", "sh", _platform.NodeImageReference,
            "-c", "mkdir -p /www && printf '%s' \"$0\" > /www/index.html && exec httpd -f -p 80 -h /www", body);
        var address = await InspectAsync("lb-backend", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
        var cluster = new ClusterScenario();
        cluster.Services.Clear();
        cluster.Services.Add(ClusterScenario.LoadBalancer("traefik", "traefik", address, new() { ["app.kubernetes.io/name"] = "traefik" }, 80));
        cluster.ServeFrom(_api!);
        return address;
    }

    /// <summary>GET http://127.0.0.1:port/, retried for a few seconds while HAProxy starts; loopback only.</summary>
    static async Task<string> GetFromLoopbackAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try { return await http.GetStringAsync($"http://127.0.0.1:{port}/"); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline) { await Task.Delay(250); }
        }
    }

    int HttpPort => int.Parse(Machine.Variables["PLATFORM_HTTP_PORT"]);

    [SkippableFact]
    public async Task Published_mode_runs_HAProxy_forwarding_a_loopback_port_keeps_it_when_nothing_changed_and_names_a_taken_port()
    {
        SkipUnlessAvailable();
        await GivenLoadBalancerBackendAsync("hello from the LoadBalancer");

        var cold = await Machine.RunBuildAsync("--target=PublishPorts");

        Assert.True(cold.ExitCode == 0, cold.ToString());
        Assert.Contains("Started access proxy", cold.Text);
        var proxy = (await InspectAsync(ProxyName, "{{.State.Status}}|{{.Id}}|{{json .HostConfig.PortBindings}}")).Split('|');
        Assert.Equal("running", proxy[0]);
        Assert.Contains($"\"HostIp\":\"127.0.0.1\",\"HostPort\":\"{HttpPort}\"", proxy[2]);
        Assert.DoesNotContain("\"HostIp\":\"\"", proxy[2]);   // never on every interface
        Assert.Equal("hello from the LoadBalancer", await GetFromLoopbackAsync(HttpPort));

        var warm = await Machine.RunBuildAsync("--target=PublishPorts");

        Assert.True(warm.ExitCode == 0, warm.ToString());
        Assert.Contains("up to date", warm.Text);
        Assert.Empty(MutatingDocker(warm));
        Assert.Equal(proxy[1], await InspectAsync(ProxyName, "{{.Id}}"));
        Assert.Equal("hello from the LoadBalancer", await GetFromLoopbackAsync(HttpPort));

        // Someone else's container holds the port the user moves the platform to (on a network: a container on none publishes nothing).
        var taken = LoopbackServer.FreePort();
        await Daemon.DockerAsync("run", "--detach", "--name", "squatter", "--network", "kind", "--publish", $"127.0.0.1:{taken}:80", _platform.NodeImageReference);
        Machine.Variables["PLATFORM_HTTP_PORT"] = taken.ToString();

        var clash = await Machine.RunBuildAsync("--target=PublishPorts");

        Assert.True(clash.ExitCode == 1, clash.ToString());
        Assert.Contains(taken.ToString(), clash.Text);
        Assert.Contains("PLATFORM_HTTP_PORT", clash.Text);
        Assert.False(clash.HasStackTrace, clash.Output);
        Assert.Equal("running", await InspectAsync("squatter", "{{.State.Status}}"));
    }

    [SkippableFact]
    public async Task A_node_container_stopped_by_hand_is_started_again_by_Up()
    {
        SkipUnlessAvailable();
        var cold = await Machine.RunBuildAsync("--target=HelmfileApply");
        Assert.True(cold.ExitCode == 0, cold.ToString());
        // As a reboot leaves them with kind's restart policy (on-failure:1): exited, not removed.
        await Daemon.DockerAsync("stop", "--time", "1", Nodes[0], Nodes[2]);
        Assert.Equal("exited", await InspectAsync(Nodes[0], "{{.State.Status}}"));

        var up = await Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Contains("stopped", up.Text);
        var start = Assert.Single(up.Calls, c => c.Tool == "docker" && c.Words.FirstOrDefault() == "start");
        Assert.Equal(new[] { Nodes[0], Nodes[2] }.Order(), start.Words.Skip(1).Order());
        foreach (var node in Nodes) Assert.Equal("running", await InspectAsync(node, "{{.State.Status}}"));
        Assert.DoesNotContain(up.Calls, c => c.Signature == "kind create cluster");
    }

    [SkippableFact]
    public async Task Clean_removes_the_cluster_and_the_proxy_but_keeps_the_cache_Purge_removes_the_cache_and_a_look_alike_is_never_touched()
    {
        SkipUnlessAvailable();
        await GivenLoadBalancerBackendAsync("ok");
        var up = await Machine.RunBuildAsync("--target=PublishPorts");
        Assert.True(up.ExitCode == 0, up.ToString());
        var mirrorIds = await LinesAsync("ps", "--all", "--filter", $"label={MirrorLabel}", "--format", "{{.ID}}");
        Assert.Equal(FixturePlatform.MirrorContainers.Length, mirrorIds.Count);

        var clean = await Machine.RunBuildAsync("--target=Clean");

        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Empty(await LinesAsync("ps", "--all", "--filter", $"label=io.x-k8s.kind.cluster={Cluster}", "--format", "{{.Names}}"));
        Assert.False((await Daemon.TryDockerAsync("container", "inspect", ProxyName)).ExitCode == 0, "Clean left the access proxy");
        Assert.Equal(mirrorIds.Order(), (await LinesAsync("ps", "--all", "--filter", $"label={MirrorLabel}", "--format", "{{.ID}}")).Order());
        Assert.Equal(FixturePlatform.MirrorContainers.Order(), (await LinesAsync("volume", "ls", "--filter", $"label={MirrorLabel}", "--format", "{{.Name}}")).Order());
        Assert.Equal("running", await InspectAsync("lb-backend", "{{.State.Status}}"));

        var purge = await Machine.RunBuildAsync("--target=Purge");

        Assert.True(purge.ExitCode == 0, purge.ToString());
        Assert.Empty(await LinesAsync("ps", "--all", "--filter", $"label={MirrorLabel}", "--format", "{{.ID}}"));
        Assert.Empty(await LinesAsync("volume", "ls", "--filter", $"label={MirrorLabel}", "--format", "{{.Name}}"));
        Assert.Equal("running", await InspectAsync(RealDockerdPlatform.UpstreamContainer, "{{.State.Status}}"));

        // Someone else's container with a mirror's name, and none of the build's labels.
        var lookAlike = FixturePlatform.MirrorContainers[0];
        var theirs = (await Daemon.DockerAsync("run", "--detach", "--name", lookAlike, "--network", "kind", _platform.NodeImageReference)).Trim();

        var refused = await Machine.RunBuildAsync("--target=HelmfileApply");
        var purgeAgain = await Machine.RunBuildAsync("--target=Purge");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"{lookAlike} already exists but is not the build's", refused.Text);
        Assert.False(refused.HasStackTrace, refused.Output);
        Assert.True(purgeAgain.ExitCode == 0, purgeAgain.ToString());
        Assert.Equal(theirs + "|running", await InspectAsync(lookAlike, "{{.Id}}|{{.State.Status}}"));
        Assert.Empty(MutatingDocker(refused).Where(c => c.Argv.Contains(lookAlike)).Concat(MutatingDocker(purgeAgain).Where(c => c.Argv.Contains(lookAlike))));
    }
}
