using System.Diagnostics;
using System.Text.Json.Nodes;
using DataPlatform.Build.Deploy;
using DataPlatform.Build.GatewayApi;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Toolchain;
using DataPlatform.Build.Tools;
using Microsoft.AspNetCore.Http;
using static DataPlatform.Build.Tests.RealTools.RealToolsAssertions;

namespace DataPlatform.Build.Tests.RealTools;

/// <summary>
/// Every kubectl command line the build issues (build/Tools/Kubectl.cs), run by the real kubectl 1.35.2 against the
/// fake API, with the build's own runner, and where there is one, the build's own reader of the output.
/// </summary>
[Trait("Category", "RealTools")]
public sealed class KubectlRealToolsTests
{
    /// <summary>The build's in-process reads (KubernetesClient) of the cluster kubectl would have read, through the same kubeconfig.</summary>
    static ApiClusterReads Reads(RealToolsWorld world) => new(() => PlatformCluster.Connect(RealToolsWorld.Context, world.KubeconfigPath));

    [Fact]
    public async Task The_node_list_the_build_reads_in_process_names_each_node_and_its_role()
    {
        await using var world = await RealToolsWorld.StartAsync();
        world.Api.SeedNode("data-platform-control-plane");
        world.Api.SeedNode("data-platform-worker", role: "worker");

        var read = await Reads(world).NodesAsync(CancellationToken.None);

        Assert.True(read.Succeeded, read.Problem);
        var nodes = read.Value!;
        Assert.Equal(["data-platform-control-plane", "data-platform-worker"], nodes.Select(n => n.Name).Order());
        Assert.Equal("control-plane", nodes.Single(n => n.Name == "data-platform-control-plane").Role);
        Assert.Equal("worker", nodes.Single(n => n.Name == "data-platform-worker").Role);
        OnlyPlatformContextAsked(world);
    }

    [Fact]
    [RunsCommandLine("Kubectl.WaitForNodesReadyCommand")]
    public async Task Wait_for_nodes_returns_at_once_when_every_node_is_already_Ready()
    {
        await using var world = await RealToolsWorld.StartAsync();
        world.Api.SeedNode("data-platform-control-plane");
        world.Api.SeedNode("data-platform-worker", role: "worker");
        var kubectl = new Kubectl(world.Runner(), RealToolsWorld.Context);
        var clock = Stopwatch.StartNew();

        await kubectl.WaitForNodesReadyAsync(TimeSpan.FromSeconds(60), CancellationToken.None);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"kubectl wait took {clock.Elapsed} for nodes that were Ready from the start");
        Assert.Contains("data-platform-worker condition met", world.Console.Output);
        OnlyPlatformContextAsked(world);
    }

    [Fact]
    [RunsCommandLine("Kubectl.WaitForNodesReadyCommand")]
    public async Task Wait_for_nodes_follows_a_node_that_becomes_Ready_while_it_waits()
    {
        await using var world = await RealToolsWorld.StartAsync();
        world.Api.SeedNode("data-platform-control-plane");
        world.Api.SeedNode("data-platform-worker", ready: false, role: "worker");
        var kubectl = new Kubectl(world.Runner(), RealToolsWorld.Context);

        var waiting = kubectl.WaitForNodesReadyAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        // Once kubectl watches the worker (its watch carries the node's name), the node turns Ready.
        await WaitUntilAsync(() => world.Api.Requests.Any(r => r.Query.Contains("watch=true") && r.Query.Contains("data-platform-worker")), waiting);
        world.Api.SeedNode("data-platform-worker", ready: true, role: "worker");
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("data-platform-worker condition met", world.Console.Output);
        OnlyPlatformContextAsked(world);
    }

    [Fact]
    [RunsCommandLine("Kubectl.WaitForNodesReadyCommand")]
    public async Task Wait_for_nodes_fails_at_its_timeout_naming_the_node_that_is_not_Ready()
    {
        await using var world = await RealToolsWorld.StartAsync();
        world.Api.SeedNode("data-platform-worker", ready: false, role: "worker");
        var kubectl = new Kubectl(world.Runner(), RealToolsWorld.Context);

        var failure = await Assert.ThrowsAsync<ToolFailedException>(() => kubectl.WaitForNodesReadyAsync(TimeSpan.FromSeconds(2), CancellationToken.None));

        Assert.Contains("timed out waiting for the condition on nodes/data-platform-worker", failure.StandardErrorTail());
        OnlyPlatformContextAsked(world);
    }

    [Fact]
    public async Task A_missing_CRD_reads_as_absent_and_an_API_that_does_not_answer_as_a_problem_naming_it()
    {
        await using var world = await RealToolsWorld.StartAsync();

        var missing = await Reads(world).CustomResourceDefinitionAsync("gateways.gateway.networking.k8s.io", CancellationToken.None);

        Assert.True(missing.Succeeded, missing.Problem);
        Assert.Null(missing.Value);
        OnlyPlatformContextAsked(world);

        world.Api.Hangs = true;
        var wedged = new ApiClusterReads(() => PlatformCluster.Connect(RealToolsWorld.Context, world.KubeconfigPath, TimeSpan.FromSeconds(1)));
        var down = await wedged.ConfigMapAsync("kube-system", "data-platform-applied", CancellationToken.None);
        Assert.False(down.Succeeded);
        Assert.Contains($"the Kubernetes API of {RealToolsWorld.Context} at {world.Api.Url} did not answer within 1 s", down.Problem);
    }

    /// <summary>
    /// ApplyGatewayCrds as it runs: GatewayCrdService reads the installed bundle in process (NotFound), applies the
    /// bundle server-side from a loopback URL, and the next run reads the bundle-version annotation back and skips.
    /// </summary>
    [Fact]
    [RunsCommandLine("Kubectl.ServerSideApplyCommand")]
    public async Task Gateway_CRDs_are_applied_server_side_from_a_URL_once_and_then_found()
    {
        await using var world = await RealToolsWorld.StartAsync();
        await using var bundle = await ServeAsync(GatewayBundle("v1.5.1", "experimental"));
        var spec = new GatewayApiSpec("v1.5.1", bundle.BaseUrl + "/v1.5.1/experimental-install.yaml");
        var kubectl = new Kubectl(world.Runner(), RealToolsWorld.Context);
        var service = new GatewayCrdService(Reads(world), kubectl, spec, world.Console);

        Assert.True(await service.EnsureAsync(CancellationToken.None));
        Assert.Contains("gateways.gateway.networking.k8s.io serverside-applied", world.Console.Output);
        var apply = Assert.Single(world.Api.Requests, r => r.Method == "PATCH" && r.Path.EndsWith("/gateways.gateway.networking.k8s.io"));
        Assert.StartsWith("application/apply-patch+yaml", apply.ContentType);
        Assert.Contains("force=true", apply.Query);

        var crd = await Reads(world).CustomResourceDefinitionAsync("gateways.gateway.networking.k8s.io", CancellationToken.None);
        Assert.Equal("v1.5.1", crd.Value!.Annotations["gateway.networking.k8s.io/bundle-version"]);

        var applied = world.Api.Requests.Count(r => r.Method == "PATCH");
        Assert.False(await service.EnsureAsync(CancellationToken.None));
        Assert.Contains("Gateway API v1.5.1 (experimental) is already installed: skipping.", world.Console.Output);
        Assert.Equal(applied, world.Api.Requests.Count(r => r.Method == "PATCH"));
        OnlyPlatformContextAsked(world);
    }

    [Fact]
    [RunsCommandLine("Kubectl.ServerSideApplyCommand")]
    public async Task Server_side_applied_CRDs_make_their_kinds_listable()
    {
        await using var world = await RealToolsWorld.StartAsync();
        await using var bundle = await ServeAsync(GatewayBundle("v1.5.1", "experimental"));
        var kubectl = new Kubectl(world.Runner(), RealToolsWorld.Context);

        Succeeded(await world.RunAsync(kubectl.ServerSideApplyCommand(bundle.BaseUrl + "/experimental-install.yaml")), kubectl.ServerSideApplyCommand(bundle.BaseUrl));
        var gateways = await world.RunAsync(kubectl.Command("get", "gateways", "--all-namespaces", "-o", "json"));

        Succeeded(gateways, kubectl.Command("get", "gateways"));
        Assert.Equal("List", JsonNode.Parse(gateways.StandardOutput)!["kind"]!.GetValue<string>());
        OnlyPlatformContextAsked(world);
    }

    /// <summary>The warm gate's record: AppliedRecordStore reads it (NotFound: no record), writes it with client-side apply, reads it back.</summary>
    [Fact]
    [RunsCommandLine("Kubectl.ApplyFileCommand")]
    public async Task The_applied_record_is_absent_then_created_read_back_and_configured()
    {
        await using var world = await RealToolsWorld.StartAsync();
        var kubectl = new Kubectl(world.Runner(), RealToolsWorld.Context);
        var store = new AppliedRecordStore(world.Runner(), kubectl, Reads(world), Path.Combine(world.Root, "artifacts"));
        var inputs = new AppliedInputs(new Dictionary<string, string> { ["helmfile.yaml"] = "aa11", ["values/minio.yaml"] = "bb22" });
        var at = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

        var (none, problem) = await store.ReadAsync(CancellationToken.None);
        Assert.Null(none);
        Assert.Null(problem);

        await store.WriteAsync(inputs, at, CancellationToken.None);
        Assert.Single(world.Api.Requests, r => r.Method == "POST" && r.Path == "/api/v1/namespaces/kube-system/configmaps");
        var (record, _) = await store.ReadAsync(CancellationToken.None);
        Assert.Equal(inputs.Fingerprint, record!.Fingerprint);
        Assert.Equal(at, record.AppliedAt);

        var changed = new AppliedInputs(new Dictionary<string, string> { ["helmfile.yaml"] = "cc33" });
        await store.WriteAsync(changed, at.AddHours(1), CancellationToken.None);
        var patch = Assert.Single(world.Api.Requests, r => r.Method == "PATCH");
        Assert.Equal("/api/v1/namespaces/kube-system/configmaps/data-platform-applied", patch.Path);
        Assert.StartsWith("application/strategic-merge-patch+json", patch.ContentType);
        var (rewritten, _) = await store.ReadAsync(CancellationToken.None);
        Assert.Equal(changed.Fingerprint, rewritten!.Fingerprint);
        OnlyPlatformContextAsked(world);
    }

    [Fact]
    [RunsCommandLine("Kubectl.ApplyFileCommand")]
    public async Task Applying_the_same_record_twice_leaves_it_unchanged()
    {
        await using var world = await RealToolsWorld.StartAsync();
        var kubectl = new Kubectl(world.Runner(), RealToolsWorld.Context);
        var path = Path.Combine(world.Root, "record.json");
        File.WriteAllText(path, AppliedRecordStore.Manifest(new AppliedInputs(new Dictionary<string, string> { ["tools.yaml"] = "dd44" }), DateTimeOffset.UnixEpoch));

        Succeeded(await world.RunAsync(kubectl.ApplyFileCommand(path)), kubectl.ApplyFileCommand(path));
        var again = await world.RunAsync(kubectl.ApplyFileCommand(path));

        Succeeded(again, kubectl.ApplyFileCommand(path));
        Assert.Contains("configmap/data-platform-applied unchanged", again.StandardOutput);
        Assert.Single(world.Api.Requests, r => r.Method == "POST");
        Assert.DoesNotContain(world.Api.Requests, r => r.Method is "PATCH" or "PUT");
        OnlyPlatformContextAsked(world);
    }

    [Fact]
    [RunsCommandLine("ToolInstaller.VersionCommand(kubectl)")]
    public async Task The_kubectl_version_probe_reads_no_cluster()
    {
        await using var world = await RealToolsWorld.StartAsync();
        var command = ToolInstaller.VersionCommand("kubectl", "kubectl", RealToolsWorld.Context);

        var result = await world.RunAsync(command);

        Succeeded(result, command);
        Assert.Equal(new ToolVersion(1, 35, 2), ToolVersion.Parse(result.StandardOutput));
        Assert.Empty(world.Api.Requests);
        Assert.Empty(world.Decoy.Requests);
    }

    /// <summary>A small Gateway API bundle as the release asset has it: CRDs annotated with bundle-version and channel.</summary>
    internal static string GatewayBundle(string version, string channel) => string.Join("---\n",
        new[] { ("GatewayClass", "gatewayclasses", "Cluster"), ("Gateway", "gateways", "Namespaced"), ("HTTPRoute", "httproutes", "Namespaced") }
        .Select(crd => $"""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              annotations:
                gateway.networking.k8s.io/bundle-version: {version}
                gateway.networking.k8s.io/channel: {channel}
              name: {crd.Item2}.gateway.networking.k8s.io
            spec:
              group: gateway.networking.k8s.io
              names:
                kind: {crd.Item1}
                listKind: {crd.Item1}List
                plural: {crd.Item2}
                singular: {crd.Item1.ToLowerInvariant()}
              scope: {crd.Item3}
              versions:
              - name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true

            """));

    /// <summary>A loopback server answering every GET with <paramref name="yaml"/>, as the release download would.</summary>
    internal static Task<LoopbackServer> ServeAsync(string yaml) =>
        LoopbackServer.StartAsync(http =>
        {
            http.Response.ContentType = "application/octet-stream";
            return http.Response.WriteAsync(yaml);
        });

    static async Task WaitUntilAsync(Func<bool> condition, Task running)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (running.IsCompleted) await running;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("kubectl never watched the node");
            await Task.Delay(50);
        }
    }
}
