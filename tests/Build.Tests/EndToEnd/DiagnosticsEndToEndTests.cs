using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataPlatform.Build.Tests.Diagnostics;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Verify;
using k8s.Models;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The real ./build.sh with the stand-ins and a fake API: the live progress while a slow helmfile apply runs (told in
/// lines, since the output is not a terminal, and read in-process: no process runs beside helmfile), the bundle a failing
/// Verify leaves next to its report (kind's logs included, from the stand-in kind), and --target=Diagnose.
/// </summary>
public sealed partial class DiagnosticsEndToEndTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>
{
    const string CrashingPod = "minio-7d9f-abcde";

    [Fact]
    public async Task A_slow_helmfile_apply_is_told_in_lines_while_it_runs_with_no_process_beside_it()
    {
        await using var api = await FakeKubeApi.StartAsync();
        using var machine = new Scenario(build) { ApiServer = api.Url };
        new ClusterScenario().ServeFrom(api);
        api.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "minio" } });
        api.Seed(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "minio-0", ["namespace"] = "minio", ["labels"] = new JsonObject { ["app.kubernetes.io/instance"] = "minio" } },
            ["status"] = new JsonObject { ["phase"] = "Pending" },
        });
        api.SeedHelmRelease(new FakeHelmRelease("minio", "minio", 1, "pending-install"));
        // A cold Up's helmfile takes minutes; a few seconds show the same: lines while it runs, none after.
        machine.SetState("helmfile_seconds", "6");

        var run = await machine.RunBuildAsync("--target=HelmfileApply");

        Assert.True(run.ExitCode == 0, run.ToString());
        var progress = ProgressLine().Matches(run.Output).ToList();
        Assert.NotEmpty(progress);
        Assert.Contains(progress, line => line.Value.Contains("waiting:") && line.Value.Contains("minio pending-install 0/1"));
        // While helmfile ran: before the releases it reports when it returns.
        Assert.True(progress[0].Index < run.Output.IndexOf("UPDATED RELEASES", StringComparison.Ordinal), run.ToString());
        Assert.DoesNotContain(progress, line => line.Index > run.Output.IndexOf("UPDATED RELEASES", StringComparison.Ordinal));
        // In-process reads only: no stand-in started while helmfile apply ran, and the API was read meanwhile.
        var apply = Assert.Single(run.Named("helmfile apply"));
        Assert.DoesNotContain(run.Calls, c => c != apply && c.Start > apply.Start && c.Start < apply.End);
        Assert.Contains(api.RequestPaths, p => p.StartsWith("/api/v1/namespaces/minio/pods", StringComparison.Ordinal));
        Assert.Empty(run.Violations);
    }

    [Fact]
    public async Task A_failing_Verify_leaves_a_bundle_next_to_its_report_with_the_crashing_pod_kinds_logs_and_no_secret()
    {
        await using var api = await FakeKubeApi.StartAsync();
        using var machine = new Scenario(build) { ApiServer = api.Url };
        await machine.GivenPlatformClusterAsync();
        CrashingMinio().ServeFrom(api);
        SeedCrashingPod(api);
        var reports = Path.Combine(machine.Home, "artifacts");

        var run = await machine.RunBuildAsync("--target=Verify", "--timeout=1", $"--report={reports}/verify.xml");

        Assert.NotEqual(0, run.ExitCode);
        var bundle = Assert.Single(Directory.GetFiles(reports, "diagnostics-*.tar.gz"));
        Assert.Contains("a diagnostics bundle is in", run.Text);
        Assert.Contains(Path.GetFileName(bundle), run.Squashed);
        var files = DiagnosticsBundleTests.Read(bundle);
        Assert.Contains("CrashLoopBackOff", files[$"pods/minio/{CrashingPod}/describe.txt"]);
        Assert.Contains("listening on :9000", files[$"pods/minio/{CrashingPod}/minio.log"]);
        Assert.Contains("panic: bad credentials", files[$"pods/minio/{CrashingPod}/minio.previous.log"]);
        Assert.Contains("Taken because the run failed", files["index.md"]);
        Assert.Contains("checks still failing", files["index.md"]);
        Assert.Contains($"Pod minio/{CrashingPod} is not ready", files["index.md"]);
        // kind's own logs, since the cluster is the platform's kind cluster: one folder per node.
        Assert.Contains(files.Keys, f => f.StartsWith("kind-logs/data-platform-control-plane/", StringComparison.Ordinal));
        Assert.Single(run.Named("kind export logs"), c => c.Argv.Contains(FixturePlatform.ClusterName));
        Assert.All(FixturePlatform.SecretValues, secret => Assert.All(files, f => Assert.DoesNotContain(secret, f.Value)));
        Assert.Empty(run.Violations);
    }

    [Fact]
    public async Task Diagnose_writes_the_bundle_to_output_and_changes_nothing()
    {
        await using var api = await FakeKubeApi.StartAsync();
        using var machine = new Scenario(build) { ApiServer = api.Url };
        await machine.GivenPlatformClusterAsync();
        CrashingMinio().ServeFrom(api);
        SeedCrashingPod(api);
        var output = Path.Combine(machine.Home, "out", "bundle.tar.gz");

        var run = await machine.RunBuildAsync("--target=Diagnose", $"--output={output}");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Diagnostics bundle:", run.Text);
        var files = DiagnosticsBundleTests.Read(output);
        Assert.StartsWith("# Diagnostics of kind-data-platform", files["index.md"]);
        Assert.Contains("Taken by `./build.sh --target=Diagnose`", files["index.md"]);
        Assert.Contains("kind: kind v", files["versions.txt"]);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.All(run.Calls.Where(c => c.IsClusterCall), c => Assert.Equal(FixturePlatform.Context, c.Context));
        Assert.Empty(run.Violations);
    }

    static ClusterScenario CrashingMinio()
    {
        var cluster = new ClusterScenario();
        cluster.Deployments[2] = ClusterScenario.Deployment("minio", "minio", 1, 0);
        cluster.Pods.Add(ClusterScenario.Pod("minio", CrashingPod, "minio", new V1ContainerStatus
        {
            Name = "minio", Image = "quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z", ImageID = "", Ready = false, RestartCount = 3,
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
            LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error" } },
        }));
        cluster.Services[0] = ClusterScenario.LoadBalancer("traefik", "traefik", null, new() { ["app.kubernetes.io/name"] = "traefik" }, 443);
        return cluster;
    }

    /// <summary>The pod in the store as well, where its logs are served from; the previous run quotes the password.</summary>
    static void SeedCrashingPod(FakeKubeApi api)
    {
        api.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "minio" } });
        api.Seed(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = CrashingPod, ["namespace"] = "minio" },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "minio", ["image"] = "quay.io/minio/minio" }) },
        });
        api.SeedPodLog("minio", CrashingPod, "minio", "listening on :9000\n");
        api.SeedPodLog("minio", CrashingPod, "minio", "using adminuser:adminpassword\npanic: bad credentials\n", previous: true);
    }

    [GeneratedRegex(@"HelmfileApply \d\d:\d\d (·|-) \d+/\d+ releases ready[^\n]*")]
    private static partial Regex ProgressLine();
}
