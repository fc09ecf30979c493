using System.Text.Json;
using System.Xml.Linq;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Tests.Infrastructure;
using k8s.Models;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>
/// Verify against a fake Kubernetes API (a stand-in for the kind cluster's API server), read through the real
/// KubernetesClient with a kubeconfig whose current-context is a decoy: the decoy must never be asked anything.
/// </summary>
public sealed class VerifierTests
{
    [Fact]
    public async Task A_healthy_platform_passes_every_check_and_only_the_platform_context_is_asked()
    {
        await using var f = await VerifyFixture.StartAsync();

        var results = await f.VerifyAsync(f.Settings());

        Assert.All(results, r => Assert.True(r.Passed, $"{r.Name}: {r.Detail}"));
        var names = results.Select(r => r.Name).ToList();
        Assert.Contains("daemonset kube-system/kindnet", names);
        Assert.Contains("deployment local-path-storage/local-path-provisioner", names);
        Assert.Contains("helm release cert-manager/cert-manager", names);
        Assert.Contains("loadbalancer traefik/traefik", names);
        Assert.Contains("certificate traefik/data-platform-wildcard-certificate", names);
        Assert.Contains("trust bundle configmap data-platform-ca-bundle", names);
        Assert.Contains("gateway traefik/traefik-gateway", names);
        Assert.DoesNotContain(names, n => n.Contains("someone-else"));
        Assert.NotEmpty(f.Api.RequestPaths);
        Assert.Empty(f.Decoy.RequestPaths);
    }

    [Fact]
    public async Task An_image_pull_failure_fails_naming_the_pod_and_the_image()
    {
        await using var f = await VerifyFixture.StartAsync();
        f.Scenario.Deployments[2] = ClusterScenario.Deployment("minio", "minio", 1, 0);
        f.Scenario.Pods.Add(ClusterScenario.Pod("minio", "minio-7d9f-abcde", "minio", new V1ContainerStatus
        {
            Name = "minio", Image = "quay.io/minio/minio:RELEASE.2099-01-01", ImageID = "", Ready = false, RestartCount = 0,
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ImagePullBackOff", Message = "Back-off pulling image \"quay.io/minio/minio:RELEASE.2099-01-01\"" } },
        }));

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => f.VerifyAsync(f.Settings(TimeSpan.Zero)));

        Assert.Contains("deployment minio/minio", failure.Message);
        Assert.Contains("0/1 ready", failure.Message);
        Assert.Contains("ImagePullBackOff for image quay.io/minio/minio:RELEASE.2099-01-01", failure.Message);
        Assert.Contains("minio-7d9f-abcde", failure.Message);
        Assert.Empty(f.Decoy.RequestPaths);
    }

    [Fact]
    public async Task A_crash_looping_container_fails_with_its_last_log_lines()
    {
        await using var f = await VerifyFixture.StartAsync();
        f.Scenario.Deployments[0] = ClusterScenario.Deployment("cert-manager", "cert-manager", 1, 0);
        f.Scenario.Pods.Add(ClusterScenario.Pod("cert-manager", "cert-manager-5c6-xyz", "cert-manager", new V1ContainerStatus
        {
            Name = "controller", Image = "quay.io/jetstack/cert-manager-controller:v1.21.1", ImageID = "", Ready = false, RestartCount = 7,
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
        }));
        f.Api.Responses["/api/v1/namespaces/cert-manager/pods/cert-manager-5c6-xyz/log"] = () => "starting\nerror: cannot read ClusterIssuer: forbidden\n";

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => f.VerifyAsync(f.Settings(TimeSpan.Zero)));

        Assert.Contains("container controller in CrashLoopBackOff (7 restarts)", failure.Message);
        Assert.Contains("error: cannot read ClusterIssuer: forbidden", failure.Message);
        // The log of the crashed run, not the one starting now.
        Assert.Contains(f.Api.RequestPaths, r => r.StartsWith("/api/v1/namespaces/cert-manager/pods/cert-manager-5c6-xyz/log") && r.Contains("previous=true"));
    }

    [Fact]
    public async Task A_certificate_that_is_not_ready_fails_with_cert_managers_reason()
    {
        await using var f = await VerifyFixture.StartAsync();
        f.Scenario.Certificates.Add(ClusterScenario.Condition("minio", "minio-tls-certificate", "Ready", "False", "DoesNotExist", "Issuing certificate as Secret does not exist"));

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => f.VerifyAsync(f.Settings(TimeSpan.Zero)));

        Assert.Contains("certificate minio/minio-tls-certificate: not Ready (False: DoesNotExist: Issuing certificate as Secret does not exist)", failure.Message);
        Assert.DoesNotContain("data-platform-wildcard-certificate", failure.Message);
    }

    [Fact]
    public async Task A_load_balancer_without_an_address_fails_and_one_outside_the_range_too()
    {
        await using var f = await VerifyFixture.StartAsync();
        f.Scenario.Services[1] = ClusterScenario.LoadBalancer("postgresql", "pg-source", null, new(), 5432);
        f.Scenario.Services.Add(ClusterScenario.LoadBalancer("elsewhere", "odd", "10.0.0.7", new(), 80));

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => f.VerifyAsync(f.Settings(TimeSpan.Zero)));

        Assert.Contains("loadbalancer postgresql/pg-source: no external address yet", failure.Message);
        Assert.Contains("loadbalancer elsewhere/odd: address 10.0.0.7 is outside the MetalLB range 172.18.255.245-172.18.255.254", failure.Message);
        Assert.DoesNotContain("loadbalancer traefik/traefik", failure.Message);
    }

    [Fact]
    public async Task A_release_that_failed_or_is_missing_fails()
    {
        await using var f = await VerifyFixture.StartAsync();
        f.Scenario.HelmReleases.RemoveAll(r => r.Name == "minio");
        f.Scenario.HelmReleases.RemoveAll(r => r.Name == "traefik");
        f.Scenario.HelmReleases.Add(ClusterScenario.HelmRelease("traefik", "traefik", 2, "failed"));

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => f.VerifyAsync(f.Settings(TimeSpan.Zero)));

        Assert.Contains("helm release traefik/traefik: revision 2 is failed (helm --kube-context kind-data-platform -n traefik history traefik", failure.Message);
        Assert.Contains("helm release minio/minio: not installed", failure.Message);
        // helm itself is asked (it reads whichever HELM_DRIVER stores the releases), pinned to the platform's context.
        Assert.All(f.Helm.Commands, c => Assert.Equal(["--kube-context", "kind-data-platform"], c.Arguments.Take(2)));
        Assert.DoesNotContain(f.Api.RequestPaths, r => r.StartsWith("/api/v1/secrets"));
    }

    [Fact]
    public async Task A_helm_that_cannot_read_its_releases_is_one_failing_check_with_helm_s_reason()
    {
        await using var f = await VerifyFixture.StartAsync();
        f.Helm.Failure = "Error: list: failed to list: secrets is forbidden: User \"dev\" cannot list resource \"secrets\" in API group \"\" at the cluster scope";

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => f.VerifyAsync(f.Settings(TimeSpan.Zero)));

        Assert.Contains("helm releases: `helm --kube-context kind-data-platform list --all-namespaces --output json` exited with code 1", failure.Message);
        Assert.Contains("secrets is forbidden", failure.Message);
        Assert.Contains("1 of", failure.Message);
    }

    [Fact]
    public async Task Verify_waits_for_checks_that_become_ready_while_it_runs()
    {
        await using var f = await VerifyFixture.StartAsync();
        f.Scenario.Deployments[2] = ClusterScenario.Deployment("minio", "minio", 1, 0);
        var reads = 0;
        var starting = ClusterScenario.Deployment("minio", "minio", 1, 0);
        var ready = ClusterScenario.Deployment("minio", "minio", 1, 1);
        // Ready from the third read of the deployments on: Verify must keep re-checking until then.
        f.Api.Responses["/apis/apps/v1/deployments"] = () => k8s.KubernetesJson.Serialize(new V1DeploymentList
        {
            Items = [.. f.Scenario.Deployments.Take(2), Interlocked.Increment(ref reads) >= 3 ? ready : starting],
        });

        var results = await f.VerifyAsync(f.Settings(TimeSpan.FromMinutes(5)));

        Assert.All(results, r => Assert.True(r.Passed, $"{r.Name}: {r.Detail}"));
        Assert.True(reads >= 3);
    }

    [Fact]
    public async Task When_the_timeout_is_spent_Verify_fails_naming_the_checks_still_failing()
    {
        await using var f = await VerifyFixture.StartAsync();
        f.Scenario.Gateways[0] = ClusterScenario.Condition("traefik", "traefik-gateway", "Programmed", "False", "Pending", "Waiting for controller");

        var failure = await Assert.ThrowsAsync<BuildFailure>(() => f.VerifyAsync(f.Settings(TimeSpan.FromMilliseconds(200))));

        Assert.Contains("1 of", failure.Message);
        Assert.Contains("still failing on context kind-data-platform", failure.Message);
        Assert.Contains("gateway traefik/traefik-gateway: not Programmed (False: Pending: Waiting for controller)", failure.Message);
        Assert.Contains("--timeout", failure.Message);
    }

    [Fact]
    public async Task An_unreachable_cluster_fails_at_once_naming_the_context_and_the_server()
    {
        var server = $"http://127.0.0.1:{FakeKubeApi.ClosedPort()}";
        await using var f = await VerifyFixture.StartAsync(platformServer: server);

        // A ten-minute timeout: only failing fast lets this test finish.
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => f.VerifyAsync(f.Settings(TimeSpan.FromMinutes(10))));

        Assert.Contains("kind-data-platform", failure.Message);
        Assert.Contains(server, failure.Message);
        Assert.Contains("./build.sh --target=Up", failure.Message);
        Assert.Empty(f.Decoy.RequestPaths);
    }

    [Fact]
    public async Task The_report_is_JUnit_XML_with_a_failure_per_failing_check()
    {
        await using var f = await VerifyFixture.StartAsync();
        f.Scenario.Services[1] = ClusterScenario.LoadBalancer("postgresql", "pg-source", null, new(), 5432);
        var report = Path.Combine(f.Root, "artifacts", "verify.xml");

        await Assert.ThrowsAsync<BuildFailure>(() => f.VerifyAsync(f.Settings(TimeSpan.Zero, report)));

        var suite = XDocument.Load(report).Root!.Element("testsuite")!;
        var cases = suite.Elements("testcase").ToList();
        Assert.Equal(cases.Count.ToString(), suite.Attribute("tests")!.Value);
        Assert.Equal("1", suite.Attribute("failures")!.Value);
        var failed = Assert.Single(cases, c => c.Element("failure") is not null);
        Assert.Equal("loadbalancer postgresql/pg-source", failed.Attribute("name")!.Value);
        Assert.Equal("verify.platform", failed.Attribute("classname")!.Value);
        Assert.StartsWith("no external address yet", failed.Element("failure")!.Attribute("message")!.Value);
    }

    [Fact]
    public async Task The_report_is_JSON_when_the_path_ends_in_json()
    {
        await using var f = await VerifyFixture.StartAsync();
        var report = Path.Combine(f.Root, "verify.json");

        await f.VerifyAsync(f.Settings(report: report));

        using var json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.Equal("kind-data-platform", json.RootElement.GetProperty("context").GetString());
        Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Contains(json.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("name").GetString() == "gateway traefik/traefik-gateway");
    }

    [Fact]
    public async Task Cancelling_mid_round_stops_promptly_as_stopped_not_as_a_failed_check()
    {
        await using var f = await VerifyFixture.StartAsync();
        using var cancel = new CancellationTokenSource();
        using var release = new SemaphoreSlim(0);
        var pods = f.Api.Responses["/api/v1/pods"];
        // The round is under way (the API is being read) when Ctrl+C comes; the API server then hangs.
        f.Api.Responses["/api/v1/pods"] = () =>
        {
            cancel.Cancel();
            release.Wait(TimeSpan.FromSeconds(30));
            return pods();
        };
        // From the moment of the cancellation, not from the start (connecting may be slow on a busy machine).
        var clock = new System.Diagnostics.Stopwatch();
        cancel.Token.Register(clock.Start);

        try
        {
            // Ten minutes to go: only the cancellation can end this quickly.
            var stopped = await Record.ExceptionAsync(() => f.VerifyAsync(f.Settings(TimeSpan.FromMinutes(10)), cancel.Token));

            Assert.IsAssignableFrom<OperationCanceledException>(stopped);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Verify took {clock.Elapsed} to stop after the cancellation");
        }
        finally
        {
            release.Release(10);
        }
    }

    [Fact]
    public async Task Cancelling_while_waiting_for_the_next_round_stops_promptly()
    {
        await using var f = await VerifyFixture.StartAsync();
        f.Scenario.Gateways[0] = ClusterScenario.Condition("traefik", "traefik-gateway", "Programmed", "False", "Pending", "Waiting for controller");
        using var cancel = new CancellationTokenSource();
        var reads = 0;
        var deployments = f.Api.Responses["/apis/apps/v1/deployments"];
        // Ctrl+C shortly after the first round read the cluster: by then Verify is asleep until the next round.
        f.Api.Responses["/apis/apps/v1/deployments"] = () =>
        {
            if (Interlocked.Increment(ref reads) == 1) cancel.CancelAfter(TimeSpan.FromMilliseconds(300));
            return deployments();
        };
        // From the moment of the cancellation, not from the start (connecting may be slow on a busy machine).
        var clock = new System.Diagnostics.Stopwatch();
        cancel.Token.Register(clock.Start);

        // A poll interval of a minute: only the cancellation ends the wait.
        var stopped = await Record.ExceptionAsync(() => f.VerifyAsync(f.Settings(TimeSpan.FromMinutes(10)) with { PollInterval = TimeSpan.FromMinutes(1) }, cancel.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(stopped);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Verify took {clock.Elapsed} to stop after the cancellation");
        Assert.Equal(1, reads);
    }
}
