namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The real ./build.sh with stand-in docker/kind/kubectl/helm/helmfile (no Docker, no cluster here).
/// Runs that must succeed target HelmfileApply: it runs Up's whole mutating chain (EnsureTools, CreateCluster,
/// ComputeMetalLbRange, ApplyGatewayCrds, HelmfileApply). Up goes on to Verify, which needs the platform's real
/// endpoints (the Kubernetes API, Traefik's LoadBalancer IP, MinIO, the registry, PostgreSQL), and those exist only
/// on a machine with Docker. Verify's behaviour is proven in tests/Build.Tests/Verify against a fake API and
/// real local servers; <see cref="UpVerifyTests"/> runs Up through Verify against a fake API. Runs expected to fail
/// before Verify (Docker down, helmfile failures) still target Up, the command a user types.
/// </summary>
public sealed class UpTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>, IDisposable
{
    const string MutatingChain = "--target=HelmfileApply";
    readonly Scenario _machine = new(build);

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task Cold_run_of_the_mutating_chain_runs_the_blog_posts_steps_in_order_against_stand_in_tools()
    {
        var run = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        // Doctor asks both at once, so they end (and are logged) in either order: the whole docker info object, once, and
        // the kind control plane's address (absent: nothing to probe).
        Assert.Equal(["docker info", "docker inspect data-platform-control-plane"], run.Signatures.Take(2).Order(StringComparer.Ordinal));
        Assert.Equal(
        [
            "docker ps",                  // CheckImages: no node container of the cluster, so the images are checked now
            "helmfile template",          //   the images the releases will run, before anything is created
            "kind create cluster",        // CreateCluster (CheckImages' look reused): act; its nodes then read Ready from the API, in process
            "docker network inspect",     // ComputeMetalLbRange
            "kubectl apply",              // ApplyGatewayCrds (the installed bundle read in process): server-side apply of the pinned bundle
            "helm list",                  //   observe releases an earlier apply left failed or pending (none here)
            "helmfile apply",             //   act (CheckImages already asked about the images)
            "kubectl apply",              //   record what was applied
        ], run.Signatures.Skip(2));
        Assert.Empty(run.Violations);
        Assert.Equal([FixturePlatform.ClusterName], _machine.Clusters);

        var create = Assert.Single(run.Named("kind create cluster"));
        Assert.Equal(Path.Combine(build.Root, "kind-config.yaml"), create.Argv[create.Argv.ToList().IndexOf("--config") + 1]);
        var apply = run.Named("kubectl apply").First();
        Assert.Contains("--server-side", apply.Argv);
        Assert.Contains($"https://github.com/kubernetes-sigs/gateway-api/releases/download/{FixturePlatform.GatewayApiVersion}/experimental-install.yaml", apply.Argv);
        Assert.Equal(FixturePlatform.GatewayApiVersion, _machine.ReadState("crd_version"));
        var helmfile = Assert.Single(run.Named("helmfile apply"));
        Assert.Equal(Path.Combine(build.Root, "helmfile.yaml"), helmfile.Argv[helmfile.Argv.ToList().IndexOf("--file") + 1]);
    }

    /// <summary>
    /// On kind too every release carries the platform's ownership label (helmfile.yaml's commonLabels, handed to helm by
    /// helmfile's syncReleaseLabels): `helm list --selector` with the label finds each one. The stand-ins keep helm's
    /// records; the label is read from the fixture's helmfile.yaml as the build reads it.
    /// </summary>
    [Fact]
    public async Task On_kind_every_release_carries_the_ownership_label_and_helm_list_selects_them_by_it()
    {
        var ownership = DataPlatform.Build.Platform.HelmfileSpec.Load(Path.Combine(build.Root, "helmfile.yaml")).Ownership;

        var run = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        var listed = await _machine.RunToolAsync("helm", new Dictionary<string, string>(),
            "--kube-context", $"kind-{FixturePlatform.ClusterName}", "list", "--all-namespaces", "--selector", ownership.Selector, "--output", "json");
        Assert.True(listed.ExitCode == 0, listed.Output);
        var selected = System.Text.Json.Nodes.JsonNode.Parse(listed.StandardOutput)!.AsArray()
            .Select(r => $"{r!["namespace"]}/{r["name"]}").Order().ToList();
        Assert.NotEmpty(selected);
        Assert.Equal(_machine.Releases.Keys.Order(), selected);
    }

    [Fact]
    public async Task Second_run_of_the_mutating_chain_creates_nothing_and_applies_nothing()
    {
        Assert.Equal(0, (await _machine.RunBuildAsync(MutatingChain)).ExitCode);

        var second = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(second.ExitCode == 0, second.ToString());
        // The stand-in cluster's API lists no workload (nothing unready) and helm lists every release deployed: a healthy platform.
        Assert.Empty(second.Calls.Where(c => c.IsMutating).Select(c => c.Signature));
        Assert.Contains("helmfile apply skipped", second.Text);
        // The cluster is found by its node containers, its nodes and Gateway API CRD read in process from its API.
        Assert.Contains("docker ps", second.Signatures);
        Assert.Contains("GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/gateways.gateway.networking.k8s.io", _machine.StandinApiRequests);
        Assert.Contains("already exists", second.Text);
        Assert.Contains($"Gateway API {FixturePlatform.GatewayApiVersion} (experimental) is already installed", second.Text);
        Assert.Empty(second.Violations);
    }

    [Fact]
    public async Task A_missing_platform_context_is_restored_with_kind_export_kubeconfig_instead_of_recreating_the_cluster()
    {
        await _machine.GivenPlatformClusterAsync();
        await _machine.GivenAsync("kubectl", "config", "delete-context", FixturePlatform.Context);

        var run = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(run.Named("kind export kubeconfig"));
        Assert.Empty(run.Named("kind create cluster"));
        // Its nodes were read through the restored context (the stand-in API sees only reads through kind's kubeconfig entry).
        Assert.Contains("GET /api/v1/nodes", _machine.StandinApiRequests);
        Assert.Contains($"context {FixturePlatform.Context} is missing", run.Text);
        Assert.Empty(run.Violations);
    }

    [Fact]
    public async Task A_transient_helmfile_failure_is_retried_and_the_apply_succeeds()
    {
        _machine.SetState("helmfile_failures", "transient\n");

        var run = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, run.Named("helmfile apply").Count());
        Assert.Contains("transient failure", run.Text);
        Assert.Contains("attempt 2 of 4", run.Text);
    }

    [Fact]
    public async Task A_permanent_helmfile_failure_stops_after_one_attempt_and_names_the_release()
    {
        _machine.SetState("helmfile_failures", "permanent:registry\n");

        var run = await _machine.RunBuildAsync("--target=Up");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Single(run.Named("helmfile apply"));
        Assert.Contains("helmfile apply failed on release registry", run.Text);
        Assert.Contains("retrying will not fix", run.Text);
        Assert.Contains("field is immutable", run.Text);           // the tail of helmfile's error, so the user sees why
        Assert.Contains("next:", run.Text);
        Assert.False(run.HasStackTrace, run.ToString());                // no stack trace at normal verbosity
    }

    [Fact]
    public async Task Transient_failures_that_persist_stop_at_the_attempt_limit()
    {
        _machine.SetState("helmfile_failures", "transient\ntransient\ntransient\ntransient\n");

        var run = await _machine.RunBuildAsync("--target=Up", "--helmfile-attempts=3");

        Assert.NotEqual(0, run.ExitCode);
        // Attempt 1 leaves traefik failed; attempts 2 and 3 sync it first, and the webhook still refuses.
        Assert.Equal(["helmfile apply", "helmfile sync", "helmfile sync"],
            run.Calls.Where(c => c.Signature is "helmfile apply" or "helmfile sync").Select(c => c.Signature));
        // The last attempt failed in its repair (the sync), so the message names that, not the apply it never reached.
        Assert.Contains("Repairing what an earlier attempt left failed (helmfile sync, before helmfile apply ran) on release traefik", run.Text);
        Assert.Contains("still failing after 3 attempts", run.Text);
        Assert.False(run.HasStackTrace, run.ToString());
        Assert.Equal("transient", _machine.ReadState("helmfile_failures")!.Trim());   // the fourth was never consumed
    }

    [Fact]
    public async Task Docker_down_fails_with_a_clear_message_before_anything_touches_a_cluster()
    {
        _machine.SetState("docker_down", "");

        var run = await _machine.RunBuildAsync("--target=Up");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Docker is not running", run.Text);
        Assert.Contains("Cannot connect to the Docker daemon", run.Text);
        Assert.False(run.HasStackTrace, run.ToString());
        // Version probes of the other tools change nothing and are allowed; any other call is not.
        Assert.DoesNotContain(run.Calls, c => c.Tool != "docker" && !c.IsVersionQuery);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.Empty(_machine.Clusters);
    }

    [Fact]
    public async Task Helmfile_gets_the_computed_metallb_range_and_the_htpasswd_line_in_its_environment()
    {
        var run = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        var environment = Assert.Single(run.Named("helmfile apply")).Environment;
        Assert.Equal(FixturePlatform.ExpectedMetalLbRange, environment["METALLB_IP_RANGE"]);
        Assert.Equal("data-platform.internal", environment["GLOBAL_DOMAIN"]);
        Assert.Equal("adminpassword", environment["MINIO_SECRET_KEY"]);
        Assert.Equal("airbytepassword", environment["AIRBYTE_S3_SECRET_KEY"]);
        Assert.StartsWith("registry:$2", environment["REGISTRY_HTPASSWD"]);
        Assert.True(BCrypt.Net.BCrypt.Verify("registrypassword", environment["REGISTRY_HTPASSWD"]["registry:".Length..]));
    }
}
