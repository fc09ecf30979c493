using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Verify;
using System.Text.Json.Nodes;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The platform on an existing cluster (PLATFORM_CONTEXT), through the real ./build.sh. The existing cluster's API is a
/// <see cref="FakeKubeApi"/> on 127.0.0.1 (a stand-in for a team's or a cloud's API server), named in the kubeconfig as
/// <see cref="Context"/>; the stand-in kubectl, helm and helmfile answer calls pinned to it from the scenario state
/// (existing_contexts), and record every call. The user's current context is a decoy that must stay unasked.
/// </summary>
public sealed class ExistingClusterTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>
{
    const string Context = "team-cluster";
    /// <summary>Strong values for the four secrets, as a user puts them in .env.local (here: exported).</summary>
    static readonly Dictionary<string, string> OwnSecrets = new()
    {
        ["MINIO_SECRET_KEY"] = "own-minio-secret-1f0c", ["AIRBYTE_S3_SECRET_KEY"] = "own-airbyte-secret-77aa",
        ["REGISTRY_PASSWORD"] = "own-registry-password-9b2e", ["REGISTRY_S3_SECRET_KEY"] = "own-registry-s3-secret-c4d1",
    };

    sealed class ExistingMachine(Scenario machine, FakeKubeApi api, FakeKubeApi decoy) : IAsyncDisposable
    {
        public Scenario Machine { get; } = machine;
        public FakeKubeApi Api { get; } = api;
        public FakeKubeApi Decoy { get; } = decoy;

        public async ValueTask DisposeAsync()
        {
            Machine.Dispose();
            await Api.DisposeAsync();
            await Decoy.DisposeAsync();
        }
    }

    /// <param name="ready">the cluster Doctor accepts: a default StorageClass, and nodes on a cloud (whose load balancers give addresses).</param>
    async Task<ExistingMachine> MachineAsync(bool ownSecrets = true, string? server = null, bool ready = true)
    {
        var api = await FakeKubeApi.StartAsync();
        if (ready)
        {
            api.Seed(StorageClass("standard", isDefault: true));
            var node = (JsonObject)api.SeedNode("node-1").DeepClone();
            node["spec"] = new JsonObject { ["providerID"] = "gce://team-project/europe-west1-b/node-1" };
            api.Seed(node);
        }
        var decoy = await FakeKubeApi.StartAsync();
        var machine = new Scenario(build, decoyServer: decoy.Url);
        Kubeconfig.WriteFile(machine.KubeConfig, Scenario.DecoyContext, (Scenario.DecoyContext, decoy.Url), (Context, server ?? api.Url));
        machine.SetState("existing_contexts", Context + "\n");
        machine.Variables["PLATFORM_CONTEXT"] = Context;
        if (ownSecrets) foreach (var (key, value) in OwnSecrets) machine.Variables[key] = value;
        return new ExistingMachine(machine, api, decoy);
    }

    static JsonObject StorageClass(string name, bool isDefault) => new()
    {
        ["apiVersion"] = "storage.k8s.io/v1", ["kind"] = "StorageClass", ["provisioner"] = "pd.csi.storage.gke.io",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["annotations"] = new JsonObject { ["storageclass.kubernetes.io/is-default-class"] = isDefault ? "true" : "false" },
        },
    };

    static JsonObject Namespace(string name, bool owned) => new()
    {
        ["apiVersion"] = "v1", ["kind"] = "Namespace",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = owned ? new JsonObject { ["app.kubernetes.io/managed-by"] = "data-platform-build" } : new JsonObject(),
        },
    };

    /// <summary>The platform's mark, read from the fixture's helmfile.yaml as the build reads it.</summary>
    OwnershipLabel Ownership => HelmfileSpec.Load(Path.Combine(build.Root, "helmfile.yaml")).Ownership;

    /// <summary>Each release's revisions as the stand-in helm keeps them ("namespace/name" → oldest first).</summary>
    static Dictionary<string, List<JsonObject>> History(Scenario machine) =>
        JsonNode.Parse(machine.ReadState("history.json") ?? "{}")!.AsObject()
            .ToDictionary(r => r.Key, r => r.Value!.AsArray().Select(v => v!.AsObject()).ToList());

    static Dictionary<string, string> Labels(JsonObject revision) =>
        (revision["labels"]?.AsObject() ?? []).ToDictionary(l => l.Key, l => l.Value!.GetValue<string>());

    /// <summary>
    /// helm's records of the releases the stand-in helmfile installed, stored in the existing cluster's API as helm
    /// stores them (Secrets with their labels), where the build reads them: the stand-ins keep their own state, and
    /// the fake API is the cluster the build asks.
    /// </summary>
    static void StoreReleasesInTheApi(ExistingMachine existing)
    {
        foreach (var (id, revisions) in History(existing.Machine))
            foreach (var revision in revisions)
                existing.Api.SeedHelmRelease(new FakeHelmRelease(id.Split('/')[1], id.Split('/')[0], revision["revision"]!.GetValue<int>(), revision["status"]!.GetValue<string>())
                    { Labels = Labels(revision) });
    }

    static void AssertNothingOfKind(BuildRun run)
    {
        Assert.DoesNotContain(run.Calls, c => c.Tool is "kind" or "docker");
        Assert.All(run.Calls.Where(c => c.IsClusterCall), c => Assert.Equal(Context, c.Context));
        Assert.Empty(run.Violations);
    }

    [Fact]
    public async Task HelmfileApply_on_an_existing_context_runs_no_kind_and_no_docker_pins_every_call_and_leaves_MetalLB_out()
    {
        await using var existing = await MachineAsync();

        var run = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertNothingOfKind(run);
        Assert.Empty(existing.Decoy.RequestPaths);
        foreach (var step in new[] { "StartImageCache", "CreateCluster", "ConnectImageCache", "ComputeMetalLbRange" })
            Assert.Contains($"{step}: skipped on the existing cluster {Context}", run.Text);
        var apply = Assert.Single(run.Named("helmfile apply"));
        Assert.Contains("loadBalancer!=metallb", apply.Argv);
        Assert.False(apply.Environment.ContainsKey("METALLB_IP_RANGE"));
        // helmfile's own selector left MetalLB out, and skipped traefik's need on it (the stand-in plans as helmfile does).
        Assert.Contains("traefik/traefik", existing.Machine.Releases.Keys);
        Assert.DoesNotContain(existing.Machine.Releases.Keys, r => r.StartsWith("metallb-system/"));
        // Every namespace the releases use was created by the build, labelled as the platform's.
        var namespaces = JsonNode.Parse(existing.Machine.ReadState("namespaces.json")!)!.AsObject();
        Assert.Equal(["cert-manager", "minio", "registry", "traefik"], namespaces.Select(n => n.Key).Order());
        Assert.All(namespaces, n => Assert.Equal("data-platform-build", n.Value!["app.kubernetes.io/managed-by"]!.GetValue<string>()));
    }

    [Fact]
    public async Task With_METALLB_IP_RANGE_the_existing_cluster_gets_MetalLB_and_a_bad_range_is_refused_before_any_change()
    {
        await using var existing = await MachineAsync();
        existing.Machine.Variables["METALLB_IP_RANGE"] = "10.0.0.300-10.0.0.310";

        var bad = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        // The validator of the platform's files reads it first, as on kind (its problems exit 1, like every file problem).
        Assert.True(bad.ExitCode == 1, bad.ToString());
        Assert.Contains("METALLB_IP_RANGE=10.0.0.300-10.0.0.310", bad.Text);
        Assert.DoesNotContain(bad.Calls, c => c.IsMutating);

        existing.Machine.Variables["METALLB_IP_RANGE"] = "192.168.1.240-192.168.1.250";
        var run = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertNothingOfKind(run);
        var apply = Assert.Single(run.Named("helmfile apply"));
        Assert.DoesNotContain("--selector", apply.Argv);
        Assert.Equal("192.168.1.240-192.168.1.250", apply.Environment["METALLB_IP_RANGE"]);
        Assert.Contains("metallb-system/kubedeploy-metallb", existing.Machine.Releases.Keys);
    }

    [Fact]
    public async Task Dryrun_lists_only_the_steps_that_run_on_an_existing_cluster()
    {
        await using var existing = await MachineAsync();

        var run = await existing.Machine.RunBuildAsync("--target=Up", "--dryrun");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Calls);
        Assert.Matches(@"\d+\.\s+HelmfileApply", run.Text);
        foreach (var step in new[] { "StartImageCache", "CreateCluster", "ConnectImageCache", "ComputeMetalLbRange", "PublishPorts" })
            Assert.DoesNotMatch($@"\d+\.\s+{step}\b", run.Text);
    }

    [Fact]
    public async Task A_context_missing_from_the_kubeconfig_is_refused_naming_the_contexts_present()
    {
        await using var existing = await MachineAsync();
        existing.Machine.Variables["PLATFORM_CONTEXT"] = "team-clustr";

        var run = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("team-clustr", run.Text);
        Assert.Contains($"Contexts present: {Scenario.DecoyContext}, {Context}.", run.Text);
        Assert.Empty(run.Calls);
        Assert.False(run.HasStackTrace, run.ToString());
    }

    [Fact]
    public async Task Another_clones_kind_context_is_refused()
    {
        await using var existing = await MachineAsync();
        await existing.Machine.GivenAsync("kind", "create", "cluster", "--name", "other");
        existing.Machine.Variables["PLATFORM_CONTEXT"] = "kind-other";

        var run = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("kind-other", run.Text);
        Assert.Contains("kind-config.yaml names the cluster 'data-platform'", run.Text);
        Assert.Empty(run.Calls);
    }

    [Fact]
    public async Task An_API_that_does_not_answer_stops_the_run_before_any_change_saying_what_to_check()
    {
        await using var existing = await MachineAsync(server: $"http://127.0.0.1:{FakeKubeApi.ClosedPort()}");

        var run = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"The Kubernetes API of {Context}", run.Text);
        Assert.Contains("get --raw /version", run.Text);
        Assert.Empty(run.Calls);
    }

    [Fact]
    public async Task The_demo_credentials_of_env_are_refused_naming_each_key_and_a_command_that_makes_strong_ones()
    {
        await using var existing = await MachineAsync(ownSecrets: false);
        existing.Machine.Variables["REGISTRY_PASSWORD"] = OwnSecrets["REGISTRY_PASSWORD"];   // one already overridden

        var run = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.Equal(2, run.ExitCode);
        foreach (var key in new[] { "MINIO_SECRET_KEY", "AIRBYTE_S3_SECRET_KEY", "REGISTRY_S3_SECRET_KEY" }) Assert.Contains(key, run.Text);
        Assert.DoesNotContain("REGISTRY_PASSWORD", run.Text);
        Assert.Contains("openssl rand -hex 24", run.Text);
        Assert.Contains(">> .env.local", run.Text);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.All(FixturePlatform.SecretValues, secret => Assert.DoesNotContain(secret, run.Squashed));
    }

    [Fact]
    public async Task PLATFORM_CONTEXT_in_the_committed_env_is_refused_naming_its_line()
    {
        using var root = await CaseRoot.CopyAsync(build);
        await using var existing = await MachineAsync();
        existing.Machine.BuildRoot = root.Path;
        existing.Machine.Variables.Remove("PLATFORM_CONTEXT");
        root.Edit(".env", text => text.TrimEnd() + $"\nPLATFORM_CONTEXT={Context}\n");
        var line = root.Read(".env").Split('\n').ToList().FindIndex(l => l.StartsWith("PLATFORM_CONTEXT")) + 1;

        var run = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($".env:{line}: PLATFORM_CONTEXT may not be set in the committed .env", run.Text);
        Assert.Empty(run.Calls);
    }

    [Fact]
    public async Task PLATFORM_CONTEXT_from_env_local_targets_the_existing_cluster()
    {
        using var root = await CaseRoot.CopyAsync(build);
        await using var existing = await MachineAsync();
        existing.Machine.BuildRoot = root.Path;
        existing.Machine.Variables.Remove("PLATFORM_CONTEXT");
        root.Write(".env.local", $"PLATFORM_CONTEXT={Context}\n");

        var run = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertNothingOfKind(run);
        Assert.Contains("(PLATFORM_CONTEXT from .env.local:1)", run.Text);
    }

    [Fact]
    public async Task Clean_without_yes_and_without_a_terminal_changes_nothing_and_exits_2()
    {
        await using var existing = await MachineAsync();
        existing.Api.Seed(Namespace("minio", owned: true));

        var run = await existing.Machine.RunBuildAsync("--target=Clean");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--yes", run.Text);
        Assert.Empty(run.Calls);
    }

    [Fact]
    public async Task Clean_with_yes_uninstalls_and_deletes_only_what_carries_the_platforms_label_and_never_touches_the_cluster()
    {
        await using var existing = await MachineAsync();
        Assert.Equal(0, (await existing.Machine.RunBuildAsync("--target=HelmfileApply")).ExitCode);
        // The platform's namespaces and releases as the API now holds them, and cert-manager as someone else's (no label).
        StoreReleasesInTheApi(existing);
        foreach (var ns in new[] { "minio", "registry", "traefik" }) existing.Api.Seed(Namespace(ns, owned: true));
        existing.Api.Seed(Namespace("cert-manager", owned: false));

        var run = await existing.Machine.RunBuildAsync("--target=Clean", "--yes");

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertNothingOfKind(run);
        var destroy = Assert.Single(run.Named("helmfile destroy"));
        var selectors = destroy.Argv.Select((a, i) => (a, i)).Where(p => p.a == "--selector").Select(p => destroy.Argv[p.i + 1]).Order().ToList();
        Assert.Equal(["name=minio,namespace=minio", "name=registry,namespace=registry", "name=traefik,namespace=traefik"], selectors);
        var delete = Assert.Single(run.Calls, c => c.Tool == "kubectl" && c.Words.Take(2).SequenceEqual(["delete", "namespace"]));
        Assert.Equal(["delete", "namespace", "minio", "registry", "traefik"], delete.Words);
        // Reverse needs order: registry (needs minio) before minio; cert-manager's release stays.
        var order = existing.Machine.ReadState("destroy_order")!.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.True(order.IndexOf("registry/registry") < order.IndexOf("minio/minio"), string.Join(", ", order));
        Assert.Contains("cert-manager/cert-manager", existing.Machine.Releases.Keys);
    }

    [Fact]
    public async Task Doctor_names_each_thing_the_cluster_lacks_with_its_fix_before_anything_changes()
    {
        await using var existing = await MachineAsync(ready: false);
        existing.Api.Allows = asked => !asked.StartsWith("create clusterroles") && !asked.Contains("webhookconfigurations");
        existing.Api.Seed(StorageClass("slow", isDefault: false));
        existing.Api.Seed(Namespace("cert-manager", owned: false));

        var run = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("may create clusterroles.rbac.authorization.k8s.io: not allowed", run.Text);
        Assert.Contains("may create validatingwebhookconfigurations.admissionregistration.k8s.io: not allowed", run.Text);
        Assert.DoesNotContain("may create namespaces: not allowed", run.Text);
        Assert.Contains("default StorageClass: none of slow is the default", run.Text);
        Assert.Contains("storageclass.kubernetes.io/is-default-class=true", run.Text);
        Assert.Contains("LoadBalancer provider: none found", run.Text);
        Assert.Contains("set METALLB_IP_RANGE in .env.local", run.Text);
        Assert.Contains("platform namespaces: cert-manager exist without the label", run.Text);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        AssertNothingOfKind(run);
        Assert.False(run.HasStackTrace, run.ToString());
    }

    [Fact]
    public async Task PrintHosts_gives_the_DNS_records_to_create_for_a_cloud_load_balancers_host_name()
    {
        await using var existing = await MachineAsync();
        var cluster = new ClusterScenario();
        // EKS-style: Traefik's LoadBalancer has a host name, no address; the Ingresses are served through it.
        cluster.Services[0].Status = new k8s.Models.V1ServiceStatus { LoadBalancer = new k8s.Models.V1LoadBalancerStatus
            { Ingress = [new k8s.Models.V1LoadBalancerIngress { Hostname = "a1b2.elb.eu-west-1.amazonaws.com" }] } };
        foreach (var ingress in cluster.Ingresses) ingress.Status = null;
        cluster.ServeFrom(existing.Api);
        var host = cluster.Ingresses[0].Spec.Rules[0].Host;

        var run = await existing.Machine.RunBuildAsync("--target=PrintHosts");

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertNothingOfKind(run);
        Assert.Contains("Create these DNS records", run.Text);
        Assert.Contains($"{host}. 300 IN CNAME a1b2.elb.eu-west-1.amazonaws.com.", run.Text);
        Assert.DoesNotContain("Add to /etc/hosts", run.Text);
    }

    [Fact]
    public async Task Verify_dials_a_cloud_load_balancer_by_its_host_name_on_the_chosen_context_only()
    {
        await using var existing = await MachineAsync();
        var cluster = new ClusterScenario { BundlePem = TestCertificates.Ca("platform CA").ExportCertificatePem() };
        // EKS-style: the LoadBalancers give a host name and no IP. It is localhost here, where nothing serves 443 or
        // 5432 on the platform's behalf, so only loopback is dialled and every probe fails, naming where it went.
        foreach (var service in cluster.Services.Where(s => s.Spec?.Type == "LoadBalancer"))
            service.Status = new k8s.Models.V1ServiceStatus { LoadBalancer = new k8s.Models.V1LoadBalancerStatus
                { Ingress = [new k8s.Models.V1LoadBalancerIngress { Hostname = "localhost" }] } };
        foreach (var ingress in cluster.Ingresses) ingress.Status = null;
        cluster.ServeFrom(existing.Api);
        var host = cluster.Ingresses[0].Spec.Rules[0].Host;

        var run = await existing.Machine.RunBuildAsync("--target=Verify", "--timeout=1");

        Assert.True(run.ExitCode == 1, run.ToString());
        AssertNothingOfKind(run);
        Assert.Contains($"via localhost:443", run.Text);
        Assert.Contains($"https {host}", run.Text);
        Assert.DoesNotContain("has no external address", run.Text);
        Assert.Contains($"on context {Context}", run.Text);
        Assert.Empty(existing.Decoy.RequestPaths);
        Assert.False(run.HasStackTrace, run.ToString());
    }

    [Fact]
    public async Task The_Gateway_API_CRDs_the_platform_applied_are_labelled_its_own_and_Purge_removes_only_the_CRDs_it_installed()
    {
        await using var existing = await MachineAsync();
        string[] gatewayCrds = ["gateways.gateway.networking.k8s.io", "httproutes.gateway.networking.k8s.io"];
        // The cluster had no Gateway API: the bundle appears once the stand-in kubectl applied it (state crd_version).
        ServeCrds(existing.Api, () => existing.Machine.ReadState("crd_version") is null ? [] : gatewayCrds.Select(n => Crd(n, bundle: true)));

        var up = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.True(up.ExitCode == 0, up.ToString());
        AssertNothingOfKind(up);
        var label = Assert.Single(up.Calls, c => c.Tool == "kubectl" && c.Words.FirstOrDefault() == "label");
        Assert.Equal(["label", "customresourcedefinition", .. gatewayCrds, "app.kubernetes.io/managed-by=data-platform-build"], label.Words);

        // Purge: the labelled bundle and the CRDs of the platform's releases go; a CRD of another team's release stays.
        existing.Api.Responses.TryRemove(CrdsPath, out _);
        foreach (var name in gatewayCrds) existing.Api.Seed(Crd(name, bundle: true, owned: true));
        existing.Api.Seed(Crd("certificates.cert-manager.io", releaseNamespace: "cert-manager"));
        existing.Api.Seed(Crd("widgets.example.com", releaseNamespace: "team-widgets"));
        existing.Api.Seed(Crd("gatewayclasses.other.example.com"));
        existing.Api.Seed(Namespace("cert-manager", owned: true));

        var purge = await existing.Machine.RunBuildAsync("--target=Purge", "--yes");

        Assert.True(purge.ExitCode == 0, purge.ToString());
        AssertNothingOfKind(purge);
        var delete = Assert.Single(purge.Calls, c => c.Tool == "kubectl" && c.Words.Take(2).SequenceEqual(["delete", "customresourcedefinition"]));
        Assert.Equal(["certificates.cert-manager.io", .. gatewayCrds], delete.Words.Skip(2).Order(StringComparer.Ordinal));
        Assert.Contains("the cluster itself is untouched", purge.Text);
    }

    [Fact]
    public async Task CRDs_a_chart_ships_in_its_crds_directory_are_labelled_the_platforms_when_they_appear_during_its_apply()
    {
        await using var existing = await MachineAsync();
        // Helm creates a chart's crds/ (Traefik's) with no annotation at all; another team's CRD was there before.
        ServeCrds(existing.Api, () => [Crd("widgets.example.com"),
            .. existing.Machine.ReadState("releases") is null ? [] : new[] { Crd("ingressroutes.traefik.io"), Crd("middlewares.traefik.io") }]);

        var up = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.True(up.ExitCode == 0, up.ToString());
        AssertNothingOfKind(up);
        var label = Assert.Single(up.Calls, c => c.Tool == "kubectl" && c.Words.FirstOrDefault() == "label");
        Assert.Equal(["label", "customresourcedefinition", "ingressroutes.traefik.io", "middlewares.traefik.io", "app.kubernetes.io/managed-by=data-platform-build"], label.Words);
        Assert.True(up.Calls.ToList().IndexOf(label) > up.Calls.ToList().FindIndex(c => c.Signature == "helmfile apply"), "labelled before helmfile apply ran");
    }

    [Fact]
    public async Task Gateway_API_CRDs_that_were_there_before_the_platform_are_never_labelled_so_Purge_leaves_them()
    {
        await using var existing = await MachineAsync();
        // Another Gateway controller's bundle, at the version and channel the platform pins (so nothing is refused).
        existing.Api.Seed(Crd("gateways.gateway.networking.k8s.io", bundle: true));
        existing.Api.Seed(Namespace("cert-manager", owned: true));

        var up = await existing.Machine.RunBuildAsync("--target=HelmfileApply");
        var purge = await existing.Machine.RunBuildAsync("--target=Purge", "--yes");

        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.True(purge.ExitCode == 0, purge.ToString());
        Assert.DoesNotContain(up.Calls, c => c.Tool == "kubectl" && c.Words.FirstOrDefault() == "label");
        Assert.DoesNotContain(purge.Calls, c => c.Tool == "kubectl" && c.Words.Take(2).SequenceEqual(["delete", "customresourcedefinition"]) &&
            c.Words.Contains("gateways.gateway.networking.k8s.io"));
        AssertNothingOfKind(purge);
    }

    const string CrdsPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    /// <summary>Answers the CRD list with what <paramref name="crds"/> gives at the time of each request (the cluster changing during a run).</summary>
    static void ServeCrds(FakeKubeApi api, Func<IEnumerable<JsonObject>> crds) => api.Responses[CrdsPath] = () => new JsonObject
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1", ["kind"] = "CustomResourceDefinitionList",
        ["items"] = new JsonArray([.. crds()]),
    }.ToJsonString();

    /// <summary>A CRD as the API holds it: the Gateway API bundle's carry its version annotation; a chart's carry helm's release annotations.</summary>
    static JsonObject Crd(string name, bool bundle = false, bool owned = false, string? releaseNamespace = null)
    {
        var annotations = new JsonObject();
        if (bundle)
        {
            annotations["gateway.networking.k8s.io/bundle-version"] = FixturePlatform.GatewayApiVersion;
            annotations["gateway.networking.k8s.io/channel"] = DeclaredNames.GatewayChannel();
        }
        if (releaseNamespace is not null) { annotations["meta.helm.sh/release-namespace"] = releaseNamespace; annotations["meta.helm.sh/release-name"] = "r"; }
        var group = name[(name.IndexOf('.') + 1)..];
        var plural = name[..name.IndexOf('.')];
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1", ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject
            {
                ["name"] = name, ["annotations"] = annotations,
                ["labels"] = owned ? new JsonObject { ["app.kubernetes.io/managed-by"] = "data-platform-build" } : new JsonObject(),
            },
            ["spec"] = new JsonObject
            {
                ["group"] = group, ["scope"] = "Namespaced",
                ["names"] = new JsonObject { ["plural"] = plural, ["kind"] = "K" + plural, ["singular"] = plural.TrimEnd('s') },
                ["versions"] = new JsonArray(new JsonObject { ["name"] = "v1", ["served"] = true, ["storage"] = true }),
            },
        };
    }

    [Fact]
    public async Task Clean_at_a_terminal_runs_only_once_the_contexts_name_is_typed()
    {
        await using var existing = await MachineAsync();
        existing.Api.Seed(Namespace("minio", owned: true));

        var mistyped = await existing.Machine.RunBuildInTerminalAsync("prod-cluster\n", "--target=Clean");

        Assert.Equal(2, mistyped.ExitCode);
        Assert.Contains("Type the context's name to confirm", mistyped.Text);
        Assert.Empty(mistyped.Calls);

        var typed = await existing.Machine.RunBuildInTerminalAsync(Context + "\n", "--target=Clean");

        Assert.True(typed.ExitCode == 0, typed.ToString());
        Assert.Contains(typed.Calls, c => c.Tool == "kubectl" && c.Words.SequenceEqual(["delete", "namespace", "minio"]));
        Assert.DoesNotContain(typed.Calls, c => c.Tool is "kind" or "docker");
    }

    [Fact]
    public async Task HelmfileApply_on_an_existing_cluster_labels_every_release_it_installs_with_helmfiles_own_labels()
    {
        await using var existing = await MachineAsync();

        var run = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("--sync-release-labels", Assert.Single(run.Named("helmfile apply")).Argv);
        // helmfile handed helm `--labels` with the ownership label for each release (commonLabels), and helm kept it.
        var upgrades = existing.Machine.ReadState("helm_upgrades")!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(existing.Machine.Releases.Keys.Order(), upgrades.Select(u => u["release"]!.GetValue<string>()).Order());
        Assert.All(upgrades, u => Assert.Contains(Ownership.Selector, u["args"]![1]!.GetValue<string>().Split(',')));
        var history = History(existing.Machine);
        Assert.NotEmpty(history);
        Assert.All(history, r => Assert.True(Ownership.Marks(Labels(r.Value[^1])), $"{r.Key} lacks {Ownership.Selector}"));
    }

    [Fact]
    public async Task A_release_of_the_platform_already_there_without_the_label_refuses_the_run_before_any_change()
    {
        await using var existing = await MachineAsync();
        // The namespace is the platform's, the release in it is not (someone's own minio, or one from before releases were labelled).
        existing.Api.Seed(Namespace("minio", owned: true));
        existing.Api.SeedHelmRelease(new FakeHelmRelease("minio", "minio", 2, "deployed"));

        var doctor = await existing.Machine.RunBuildAsync("--target=HelmfileApply");

        Assert.Equal(1, doctor.ExitCode);
        Assert.Contains($"platform releases: minio/minio exist without the label {Ownership.Selector}", doctor.Text);
        Assert.DoesNotContain(doctor.Calls, c => c.IsMutating);
        Assert.False(doctor.HasStackTrace, doctor.ToString());

        // Without Doctor before it, HelmfileApply refuses on its own, naming the release, its namespace, the context and the fix.
        var alone = await existing.Machine.RunBuildAsync("--target=HelmfileApply", "--exclusive");

        Assert.Equal(1, alone.ExitCode);
        Assert.Contains($"release minio (namespace minio) already exists in {Context} without the label {Ownership.Selector}", alone.Text);
        Assert.Contains($"kubectl --context {Context} label secret --namespace minio --selector owner=helm,name=minio {Ownership.Selector}", alone.Text);
        Assert.DoesNotContain(alone.Calls, c => c.IsMutating);
        Assert.Empty(existing.Machine.Releases);

        // Adopted as the command says (the label on its records), the release is the platform's: the run goes on and upgrades it.
        existing.Api.SeedHelmRelease(new FakeHelmRelease("minio", "minio", 2, "deployed") { Labels = new Dictionary<string, string> { [OwnershipLabel.Key] = Ownership.Value } });
        var adopted = await existing.Machine.RunBuildAsync("--target=HelmfileApply", "--exclusive");

        Assert.True(adopted.ExitCode == 0, adopted.ToString());
        Assert.Contains("minio/minio", existing.Machine.Releases.Keys);
    }

    [Fact]
    public async Task Clean_leaves_a_release_without_the_label_and_its_namespace_alone_and_says_so()
    {
        await using var existing = await MachineAsync();
        Assert.Equal(0, (await existing.Machine.RunBuildAsync("--target=HelmfileApply")).ExitCode);
        StoreReleasesInTheApi(existing);
        foreach (var ns in new[] { "cert-manager", "minio", "registry", "traefik" }) existing.Api.Seed(Namespace(ns, owned: true));
        // traefik's latest record without the label: someone replaced it, as far as anyone can tell.
        var traefik = History(existing.Machine)["traefik/traefik"][^1]["revision"]!.GetValue<int>();
        existing.Api.SeedHelmRelease(new FakeHelmRelease("traefik", "traefik", traefik + 1, "deployed"));

        var run = await existing.Machine.RunBuildAsync("--target=Clean", "--yes");

        Assert.True(run.ExitCode == 0, run.ToString());
        var destroy = Assert.Single(run.Named("helmfile destroy"));
        Assert.DoesNotContain(destroy.Argv, a => a.Contains("traefik", StringComparison.Ordinal));
        Assert.Contains("name=minio,namespace=minio", destroy.Argv);
        var delete = Assert.Single(run.Calls, c => c.Tool == "kubectl" && c.Words.Take(2).SequenceEqual(["delete", "namespace"]));
        Assert.DoesNotContain("traefik", delete.Words);
        Assert.Contains("minio", delete.Words);
        Assert.Contains($"Left alone: release traefik in namespace traefik has no label {Ownership.Selector}", run.Text);
        Assert.Contains($"kubectl --context {Context} label secret --namespace traefik --selector owner=helm,name=traefik {Ownership.Selector}", run.Text);
        Assert.Contains("traefik/traefik", existing.Machine.Releases.Keys);
        Assert.DoesNotContain("minio/minio", existing.Machine.Releases.Keys);
    }
}
