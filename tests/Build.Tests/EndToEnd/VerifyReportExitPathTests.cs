using System.Text.Json;
using System.Xml.Linq;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Verify;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// CI gates on the --report file, so the real ./build.sh leaves one on every way out: Verify's verdict, and when Verify
/// cannot finish or never starts, one failing testcase that names the platform's context and the reason. The kind
/// stand-in points the platform's context at a fake Kubernetes API (or at a closed port, for a cluster that is down).
/// </summary>
public sealed class VerifyReportExitPathTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>, IDisposable
{
    readonly string _reports = Directory.CreateTempSubdirectory("verify-report-").FullName;

    public void Dispose() => Directory.Delete(_reports, recursive: true);

    [Fact]
    public async Task An_unreachable_API_server_still_leaves_a_JUnit_report_naming_the_context_and_the_server()
    {
        var server = $"https://127.0.0.1:{FakeKubeApi.ClosedPort()}";
        using var machine = new Scenario(build) { ApiServer = server };
        await machine.GivenPlatformClusterAsync();
        var report = Path.Combine(_reports, "ci", "verify.xml");

        var run = await machine.RunBuildAsync("--target=Verify", $"--report={report}");

        Assert.Equal(1, run.ExitCode);
        var failure = SingleIncompleteRun(report);
        Assert.Contains(FixturePlatform.Context, failure);
        Assert.Contains("Cannot reach the Kubernetes API", failure);
        Assert.Contains(machine.ClusterApiUrl(), failure);   // the server in the kubeconfig (the stand-in cluster's API, in front of the closed port)
        Assert.False(run.HasStackTrace, run.ToString());
    }

    [Fact]
    public async Task A_missing_context_still_leaves_a_JSON_report_when_the_path_ends_in_json()
    {
        using var machine = new Scenario(build);   // no kind cluster: kind-data-platform is not in the kubeconfig
        var report = Path.Combine(_reports, "verify.json");

        var run = await machine.RunBuildAsync("--target=Verify", $"--report={report}");

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.Equal(FixturePlatform.Context, json.RootElement.GetProperty("context").GetString());
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        var check = Assert.Single(json.RootElement.GetProperty("checks").EnumerateArray());
        Assert.Equal("run", check.GetProperty("category").GetString());
        Assert.False(check.GetProperty("passed").GetBoolean());
        Assert.Contains($"kube context {FixturePlatform.Context} is not in your kubeconfig", check.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_bad_configuration_line_still_leaves_a_report_naming_the_file_and_line()
    {
        using var machine = new Scenario(build);
        await machine.GivenPlatformClusterAsync();
        var report = Path.Combine(_reports, "verify.xml");
        // The tests of this collection run one at a time, so the shared fixture clone may carry a bad .env.local briefly.
        var envLocal = Path.Combine(build.Root, ".env.local");
        File.WriteAllText(envLocal, "GLOBAL_DOMAIN data-platform.internal\n");
        BuildRun run;
        try { run = await machine.RunBuildAsync("--target=Verify", $"--report={report}"); }
        finally { File.Delete(envLocal); }

        Assert.Equal(1, run.ExitCode);
        var failure = SingleIncompleteRun(report);
        Assert.Contains(FixturePlatform.Context, failure);
        Assert.Contains(".env.local:1", failure);
        Assert.Contains("KEY=value", failure);
    }

    [Fact]
    public async Task Up_with_Docker_down_leaves_a_report_saying_so_and_changes_nothing()
    {
        using var machine = new Scenario(build);
        machine.SetState("docker_down", "");
        var report = Path.Combine(_reports, "verify.xml");

        var run = await machine.RunBuildAsync("--target=Up", $"--report={report}");

        Assert.Equal(1, run.ExitCode);
        var failure = SingleIncompleteRun(report);
        Assert.Contains(FixturePlatform.Context, failure);
        Assert.Contains("Docker", failure);
        Assert.Empty(machine.Clusters);
    }

    [Fact]
    public async Task A_stale_passing_report_is_replaced_when_the_run_fails_early()
    {
        using var machine = new Scenario(build);
        var report = Path.Combine(_reports, "verify.xml");
        File.WriteAllText(report, "<testsuites tests=\"1\" failures=\"0\"/>");
        File.SetLastWriteTimeUtc(report, DateTime.UtcNow.AddDays(-1));

        var run = await machine.RunBuildAsync("--target=Verify", $"--report={report}");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is not in your kubeconfig", SingleIncompleteRun(report));
    }

    [Fact]
    public async Task Verify_that_runs_out_of_time_reports_each_failing_check_with_its_reason()
    {
        await using var api = await FakeKubeApi.StartAsync();
        using var machine = new Scenario(build) { ApiServer = api.Url };
        await machine.GivenPlatformClusterAsync();
        ServeUnreadyMinio(api);
        var report = Path.Combine(_reports, "verify.xml");

        var run = await machine.RunBuildAsync("--target=Verify", "--timeout=1", $"--report={report}");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--timeout=1", run.Text);
        var suite = XDocument.Load(report).Root!.Element("testsuite")!;
        Assert.Equal($"verify {FixturePlatform.Context}", suite.Attribute("name")!.Value);
        var minio = Assert.Single(suite.Elements("testcase"), c => c.Attribute("name")!.Value == "deployment minio/minio");
        Assert.Contains("0/1 ready", minio.Element("failure")!.Attribute("message")!.Value);
        // The verdict itself, not a run that stopped: every testcase is a check.
        Assert.DoesNotContain(suite.Elements("testcase"), c => c.Attribute("classname")!.Value == "verify.run");
        Assert.Equal(suite.Elements("testcase").Count(c => c.Element("failure") is not null).ToString(), suite.Attribute("failures")!.Value);
    }

    [Fact]
    public async Task Ctrl_C_during_Verify_leaves_a_report_with_the_checks_so_far_and_why_it_stopped()
    {
        await using var api = await FakeKubeApi.StartAsync();
        using var machine = new Scenario(build) { ApiServer = api.Url };
        await machine.GivenPlatformClusterAsync();
        ServeUnreadyMinio(api);
        var report = Path.Combine(_reports, "interrupted.xml");

        // Ten minutes to wait: only Ctrl+C ends this run early.
        var running = machine.RunBuildAsync("--target=Verify", "--timeout=600", $"--report={report}");
        // A second read of the cluster: one round of checks is complete, the next is under way.
        await WaitUntilAsync(() => api.RequestPaths.Count(r => r.StartsWith("/apis/apps/v1/deployments")) >= 2, running, "Verify did not start a second round of checks");
        Interrupt(report);
        var run = await running;

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Ctrl+C", run.Text);
        var suite = XDocument.Load(report).Root!.Element("testsuite")!;
        var stopped = Assert.Single(suite.Elements("testcase"), c => c.Attribute("classname")!.Value == "verify.run");
        Assert.Contains(FixturePlatform.Context, stopped.Element("failure")!.Value);
        Assert.Contains("Ctrl+C", stopped.Element("failure")!.Value);
        Assert.Contains(suite.Elements("testcase"), c => c.Attribute("name")!.Value == "deployment minio/minio" && c.Element("failure") is not null);
    }

    /// <summary>The report holds exactly one testcase, the failing run; returns its failure text (message and body).</summary>
    static string SingleIncompleteRun(string report)
    {
        Assert.True(File.Exists(report), $"no report at {report}");
        var suite = XDocument.Load(report).Root!.Element("testsuite")!;
        Assert.Equal("1", suite.Attribute("failures")!.Value);
        var testcase = Assert.Single(suite.Elements("testcase"));
        Assert.Equal("verify.run", testcase.Attribute("classname")!.Value);
        var failure = testcase.Element("failure")!;
        Assert.Equal(failure.Value.Split('\n')[0], failure.Attribute("message")!.Value);
        return failure.Value;
    }

    /// <summary>SIGINT to the build host, as Ctrl+C in a terminal sends it; the run is the one holding this test's unique report path.</summary>
    static void Interrupt(string uniqueArgument)
    {
        var build = Assert.Single(LocalProcesses.WhoseCommandLineHolds(uniqueArgument));
        // A process started with SIGINT ignored keeps ignoring it, as a background job must: say so now, not after 5 minutes.
        Assert.False(LocalProcesses.Ignores(build, LocalProcesses.SIGINT),
            "The build was started with SIGINT ignored, as a background job of a non-interactive shell is: run the tests through ./test.sh, which gives it back, or in the foreground.");
        LocalProcesses.Signal(build, LocalProcesses.SIGINT);
    }

    static Task WaitUntilAsync(Func<bool> condition, Task<BuildRun> running, string what) => LocalProcesses.WaitUntilAsync(condition, running, what);

    /// <summary>
    /// A cluster whose MinIO never becomes ready, so Verify keeps failing; Traefik has no address, so the HTTPS, S3 and
    /// registry probes fail at once instead of dialling 172.18.x.
    /// </summary>
    static void ServeUnreadyMinio(FakeKubeApi api)
    {
        var cluster = new ClusterScenario();
        cluster.Deployments[2] = ClusterScenario.Deployment("minio", "minio", 1, 0);
        cluster.Services[0] = ClusterScenario.LoadBalancer("traefik", "traefik", null, new() { ["app.kubernetes.io/name"] = "traefik" }, 443);
        cluster.ServeFrom(api);
    }
}
