using System.Text.Json;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The image cache through the real ./build.sh, with the docker and kind stand-ins keeping containers, volumes and the
/// files written into nodes in the scenario's state (no Docker here). The fixture's kind-config.yaml lists two mirrors.
/// </summary>
public sealed class ImageCacheEndToEndTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>, IDisposable
{
    const string MutatingChain = "--target=HelmfileApply";
    readonly Scenario _machine = new(build) { ImageCache = null };

    public void Dispose() => _machine.Dispose();

    /// <summary>Docker calls by verb ("run", "exec", "volume"): their flags make the usual two-word signature ambiguous.</summary>
    static IEnumerable<StandinCall> Docker(BuildRun run, string verb) => run.Calls.Where(c => c.Tool == "docker" && c.Words.FirstOrDefault() == verb);

    static List<string> Steps(BuildRun run) => run.Calls.Where(c => !c.IsVersionQuery)
        .Select(c => c.Tool == "docker" ? $"docker {c.Words.FirstOrDefault()}" : c.Signature).ToList();

    Dictionary<string, JsonElement> Containers() => Json("containers.json");
    Dictionary<string, JsonElement> Volumes() => Json("volumes.json");
    Dictionary<string, JsonElement> Json(string name) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(_machine.ReadState(name) ?? "{}")!;

    [Fact]
    public async Task Up_creates_the_mirrors_once_Clean_keeps_them_and_Purge_removes_only_them()
    {
        // The user's own container and volume, which nothing of the build may touch.
        await _machine.GivenAsync("docker", "volume", "create", "my-data");
        await _machine.GivenAsync("docker", "run", "--detach", "--name", "my-app", "--volume", "my-data:/data", "nginx");

        var first = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Empty(first.Violations);
        Assert.Equal(FixturePlatform.MirrorContainers.Length, Docker(first, "run").Count());
        var containers = Containers();
        foreach (var name in FixturePlatform.MirrorContainers)
        {
            Assert.Equal("running", containers[name].GetProperty("state").GetString());
            Assert.Contains("kind", containers[name].GetProperty("networks").EnumerateArray().Select(n => n.GetString()));
            Assert.Contains(name, Volumes().Keys);
        }
        // The mirrors start before the cluster, and the nodes are told about them before anything is deployed.
        var order = Steps(first);
        Assert.True(order.IndexOf("docker run") < order.IndexOf("kind create cluster"), string.Join('\n', order));
        Assert.True(order.LastIndexOf("docker exec") < order.IndexOf("helmfile apply"), string.Join('\n', order));
        var nodes = Json("nodes.json")[FixturePlatform.ClusterName].EnumerateArray().Select(n => n.GetString()!).ToList();
        var files = Json("node_files.json");
        Assert.Equal(3, nodes.Count);
        foreach (var node in nodes)
        {
            var hosts = files[node].GetProperty("/etc/containerd/certs.d/docker.io/hosts.toml").GetString()!;
            Assert.Contains("[host.\"http://data-platform-cache-docker-io:5000\"]", hosts);
            Assert.Contains("server = \"https://registry-1.docker.io\"", hosts);
            Assert.Contains("[host.\"http://data-platform-cache-quay-io:5000\"]", files[node].GetProperty("/etc/containerd/certs.d/quay.io/hosts.toml").GetString());
        }

        var second = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Empty(second.Calls.Where(c => c.IsMutating).Select(c => c.Signature));   // no mirror, hosts.toml or release touched
        Assert.Contains("nothing to change", second.Text);

        var clean = await _machine.RunBuildAsync("--target=Clean");

        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Empty(_machine.Clusters);
        Assert.DoesNotContain(clean.Calls, c => c.Tool == "docker" && c.IsMutating);
        Assert.Equal(FixturePlatform.MirrorContainers.Order(), Containers().Keys.Where(k => k != "my-app").Order());

        // After Clean, Up finds the cache as it was and only recreates the cluster and tells its new nodes.
        var afterClean = await _machine.RunBuildAsync(MutatingChain);
        Assert.True(afterClean.ExitCode == 0, afterClean.ToString());
        Assert.Empty(Docker(afterClean, "run"));
        Assert.DoesNotContain(Docker(afterClean, "volume"), c => c.IsMutating);

        var purge = await _machine.RunBuildAsync("--target=Purge");

        Assert.True(purge.ExitCode == 0, purge.ToString());
        Assert.Empty(purge.Violations);
        Assert.Equal(["my-app"], Containers().Keys);
        Assert.Equal(["my-data"], Volumes().Keys);
        Assert.Empty(_machine.Clusters);

        var again = await _machine.RunBuildAsync("--target=Purge");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("no mirror containers or volumes to remove", again.Text);
        Assert.DoesNotContain(again.Calls, c => c.IsMutating);
    }

    [Fact]
    public async Task With_IMAGE_CACHE_off_Up_creates_no_mirror_and_writes_nothing_into_the_nodes()
    {
        _machine.ImageCache = "off";

        var run = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(run.Calls, c => c.Tool == "docker" && c.IsMutating);
        Assert.Empty(Containers());
        Assert.Contains("Image cache: off", run.Text);
    }

    [Fact]
    public async Task An_IMAGE_CACHE_typo_stops_Up_before_any_change_and_names_the_variable()
    {
        _machine.ImageCache = "of";

        var run = await _machine.RunBuildAsync("--target=Up");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("IMAGE_CACHE is 'of'", run.Text);
        Assert.Contains("IMAGE_CACHE=off", run.Text);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.False(run.HasStackTrace, run.Output);
    }

    [Fact]
    public async Task A_container_that_has_a_mirrors_name_but_is_not_the_builds_is_never_replaced()
    {
        await _machine.GivenAsync("docker", "run", "--detach", "--name", FixturePlatform.MirrorContainers[0], "nginx");

        var run = await _machine.RunBuildAsync(MutatingChain);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{FixturePlatform.MirrorContainers[0]} already exists but is not the build's", run.Text);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.Equal("nginx", Containers()[FixturePlatform.MirrorContainers[0]].GetProperty("image").GetString());
        Assert.False(run.HasStackTrace, run.Output);
    }

    [Fact]
    public async Task Plan_of_Up_on_a_cold_machine_prints_the_mirrors_it_would_run_and_runs_none()
    {
        var run = await _machine.RunBuildAsync("--target=Up", "--plan");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.Empty(Containers());
        Assert.Contains("would run docker run --detach --name data-platform-cache-docker-io", run.Text);
        Assert.Contains("REGISTRY_PROXY_REMOTEURL=https://registry-1.docker.io", run.Text);
    }
}
