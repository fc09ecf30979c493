using System.Diagnostics;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Verify;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>
/// Verify reads the cluster that KUBECONFIG names, as kubectl and helmfile do, and gives up on an API server that
/// never answers with a timeout naming it. The API servers are fakes on 127.0.0.1 (stand-ins for kind's).
/// </summary>
public sealed class KubeconfigAndTimeoutTests
{
    [Fact]
    public async Task A_stale_platform_context_in_the_home_kubeconfig_is_never_contacted_when_KUBECONFIG_lists_the_right_one_first()
    {
        await using var f = await VerifyFixture.StartAsync();
        // ~/.kube/config still holds kind-data-platform from an older cluster: it points at the decoy.
        var home = Directory.CreateDirectory(Path.Combine(f.Root, "home", ".kube")).FullName;
        File.WriteAllText(Path.Combine(home, "config"), Kubeconfig.Yaml(null, (f.Kind.ContextName, f.Decoy.Url)));
        var current = Path.Combine(f.Root, "current.yaml");
        File.WriteAllText(current, Kubeconfig.Yaml(null, (f.Kind.ContextName, f.Api.Url)));
        var reader = new KubeconfigReader(name => name switch
        {
            "KUBECONFIG" => $"{current}:{Path.Combine(home, "config")}",
            "HOME" => Path.Combine(f.Root, "home"),
            _ => null,
        });

        var cluster = PlatformCluster.Connect(reader.Read(), f.Kind.ContextName);
        var results = await new Verifier(cluster, f.Helm.Helm, f.Settings(), f.Console).RunAsync(CancellationToken.None);

        Assert.All(results, r => Assert.True(r.Passed, $"{r.Name}: {r.Detail}"));
        Assert.NotEmpty(f.Api.RequestPaths);
        Assert.Empty(f.Decoy.RequestPaths);
    }

    [Fact]
    public async Task Verify_against_an_API_server_that_never_answers_fails_with_a_timeout_naming_it_not_Ctrl_C()
    {
        await using var f = await VerifyFixture.StartAsync();
        f.Api.Hangs = true;
        var cluster = PlatformCluster.Connect(f.Kind.ContextName, f.KubeconfigPath);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<BuildFailure>(() =>
            new Verifier(cluster, f.Helm.Helm, f.Settings(TimeSpan.FromSeconds(3)), f.Console).RunAsync(CancellationToken.None));

        Assert.Contains($"the Kubernetes API of {f.Kind.ContextName} at {cluster.Server} did not answer within", error.Message);
        Assert.Contains("docker ps", error.Message);
        Assert.DoesNotContain("Ctrl+C", error.Message);
        Assert.NotEmpty(f.Api.RequestPaths); // it was asked, and did not answer
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"Verify --timeout=3 took {clock.Elapsed}"); // only to catch a hang
    }

    [Fact]
    public async Task Each_request_has_its_own_timeout_even_outside_Verifys_loop()
    {
        // PrintHosts reads the cluster once, without --timeout: the per-request timeout alone must end the wait.
        await using var f = await VerifyFixture.StartAsync();
        f.Api.Hangs = true;
        var cluster = PlatformCluster.Connect(f.Kind.ContextName, f.KubeconfigPath, requestTimeout: TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<BuildFailure>(() => ClusterReader.ReadAsync(cluster, [], CancellationToken.None));

        Assert.Contains("did not answer within 1 s", error.Message);
        Assert.Contains(f.Kind.ContextName, error.Message);
    }

    [Fact]
    public async Task A_page_that_answers_in_the_APIs_place_is_named_as_such_with_the_server_not_as_a_parser_error()
    {
        // A proxy's login page where the workload list should be: Verify, PrintHosts and the warm Up's health check read it.
        await using var f = await VerifyFixture.StartAsync();
        f.Api.Responses["/apis/apps/v1/deployments"] = () => "<html><body>Please log in to the corporate proxy</body></html>";
        var cluster = PlatformCluster.Connect(f.Kind.ContextName, f.KubeconfigPath);

        foreach (var read in new Func<Task>[] { () => ClusterReader.ReadAsync(cluster, [], CancellationToken.None),
                                                () => ClusterReader.ReadWorkloadsAsync(cluster, CancellationToken.None) })
        {
            var error = await Assert.ThrowsAsync<BuildFailure>(read);
            Assert.Contains($"The Kubernetes API of context {f.Kind.ContextName} at {cluster.Server} answered something that is not the API's JSON", error.Message);
            Assert.Contains("HTTPS_PROXY", error.Message);
            Assert.DoesNotContain("System.Text.Json", error.Message);
        }
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"kind\":\"DeploymentList\",\"items\":[{\"spec\":{\"replicas\":1}}]}")]
    public async Task JSON_that_is_not_an_API_list_is_not_read_as_an_empty_or_healthy_cluster(string answer)
    {
        // A gateway answering 200 with some JSON: zero workloads would pass the warm Up's health check.
        await using var f = await VerifyFixture.StartAsync();
        f.Api.Responses["/apis/apps/v1/deployments"] = () => answer;
        var cluster = PlatformCluster.Connect(f.Kind.ContextName, f.KubeconfigPath);

        var error = await Assert.ThrowsAsync<BuildFailure>(() => ClusterReader.ReadWorkloadsAsync(cluster, CancellationToken.None));

        Assert.Contains("answered something that is not the API's JSON (not a Kubernetes", error.Message);
    }

    [Fact]
    public async Task An_empty_JSON_object_in_place_of_the_gateway_CRD_is_a_failed_read_not_a_missing_CRD()
    {
        // "Not installed" would apply the Gateway API bundle over whatever is there (GatewayCrdService refuses a failed read).
        await using var f = await VerifyFixture.StartAsync();
        f.Api.Responses["/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gateways.gateway.networking.k8s.io"] = () => "{}";
        var reads = new ApiClusterReads(() => PlatformCluster.Connect(f.Kind.ContextName, f.KubeconfigPath));

        var crd = await reads.CustomResourceDefinitionAsync("gateways.gateway.networking.k8s.io", CancellationToken.None);

        Assert.False(crd.Succeeded);
        Assert.Contains("not a Kubernetes object", crd.Problem);
    }

    [Fact]
    public async Task Ctrl_C_during_a_hanging_read_is_still_a_cancellation()
    {
        await using var f = await VerifyFixture.StartAsync();
        f.Api.Hangs = true;
        var cluster = PlatformCluster.Connect(f.Kind.ContextName, f.KubeconfigPath);
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new Verifier(cluster, f.Helm.Helm, f.Settings(TimeSpan.FromSeconds(30)), f.Console).RunAsync(ctrlC.Token));
    }
}
