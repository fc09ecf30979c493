using k8s.Models;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Services;
using DataPlatform.Build.Tools;
using Spectre.Console;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.Unit;

public class ServiceDecisionTests
{
    [Theory]
    [InlineData("experimental", "v1.5.1", "experimental", false)]
    [InlineData("experimental", "v1.3.0", "experimental", true)]
    [InlineData("experimental", "v1.5.1", "standard", true)]
    [InlineData("standard", "v1.5.1", "standard", false)]     // the channel is gateway-api.yaml's, not a fixed one
    [InlineData("standard", "v1.5.1", "experimental", true)]
    [InlineData("experimental", null, null, true)]
    public void Gateway_crds_are_applied_unless_the_exact_bundle_is_there(string wanted, string? version, string? channel, bool apply) =>
        Assert.Equal(apply, GatewayCrdService.NeedsApply("v1.5.1", wanted, version, channel));

    [Theory]
    [InlineData("https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/experimental-install.yaml", "experimental")]
    [InlineData("https://mirror.example/gateway-api/v1.5.1/standard-install.yaml?raw=1", "standard")]
    [InlineData("https://mirror.example/gateway-api/v1.5.1/install.yaml", null)]
    [InlineData("https://mirror.example/gateway-api/v1.5.1/-install.yaml", null)]
    public void The_gateway_channel_is_read_from_the_release_asset_name(string url, string? channel) =>
        Assert.Equal(channel, GatewayApiSpec.ChannelOf(url));

    [Fact]
    public async Task Installed_gateway_bundle_is_read_from_the_crd_annotations_and_skips_the_apply()
    {
        var runner = new RecordingRunner();
        var cluster = new FakeClusterReads
        {
            Crd = new(new V1CustomResourceDefinition { Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string>
                { ["gateway.networking.k8s.io/bundle-version"] = "v1.5.1", ["gateway.networking.k8s.io/channel"] = "experimental" } } }, null),
        };
        var applied = await new GatewayCrdService(cluster, new Kubectl(runner, "kind-x"), new GatewayApiSpec("v1.5.1", "https://x.example/v1.5.1/experimental-install.yaml"), new TestConsole()).EnsureAsync(default);
        Assert.False(applied);
        Assert.Empty(runner.Commands);
    }

    [Fact]
    public async Task A_gateway_crd_read_that_failed_stops_the_build_with_why_instead_of_counting_as_not_installed()
    {
        var runner = new RecordingRunner();
        var unreadable = new FakeClusterReads { Crd = new(null, "the Kubernetes API of kind-x at https://127.0.0.1:1 could not be read: '<' is an invalid start of a value") };
        var failure = await Assert.ThrowsAsync<BuildFailure>(() =>
            new GatewayCrdService(unreadable, new Kubectl(runner, "kind-x"), new GatewayApiSpec("v1.5.1", "https://u/v1.5.1.yaml"), new TestConsole()).EnsureAsync(default));
        Assert.Contains("gateways.gateway.networking.k8s.io", failure.Message);
        Assert.Contains("could not be read", failure.Message);
        Assert.Empty(runner.Commands);
    }

    [Fact]
    public async Task Missing_gateway_crds_are_applied()
    {
        var runner = new RecordingRunner();
        var applied = await new GatewayCrdService(new FakeClusterReads { Crd = new(null, null) }, new Kubectl(runner, "kind-x"), new GatewayApiSpec("v1.5.1", "https://u/v1.5.1.yaml"), new TestConsole()).EnsureAsync(default);
        Assert.True(applied);
        Assert.Contains("https://u/v1.5.1.yaml", runner.Commands[^1].Arguments);
    }

    [Fact]
    public async Task A_preset_MetalLB_range_wins_and_docker_is_only_asked_for_the_subnet_that_must_hold_it()
    {
        var root = Directory.CreateTempSubdirectory().FullName;
        var runner = new RecordingRunner().Answer(0, "10.0.0.0/24 fc00::/64");
        var variables = PlatformEnvironment.Load(root, k => k == "METALLB_IP_RANGE" ? "10.0.0.1-10.0.0.5" : null);
        var (range, source) = await new MetalLbService(new Docker(runner), variables).ResolveAsync(default);
        Assert.Equal("10.0.0.1-10.0.0.5", range);
        Assert.Equal("METALLB_IP_RANGE", source);
        Assert.All(runner.Commands, c => Assert.False(c.Mutating));
    }

    [Fact]
    public async Task A_missing_kind_network_says_to_create_the_cluster_first()
    {
        var runner = new RecordingRunner().Answer(1, "", "Error response from daemon: network kind not found");
        var variables = PlatformEnvironment.Load(Directory.CreateTempSubdirectory().FullName, _ => null);
        var error = await Assert.ThrowsAsync<BuildFailure>(() => new MetalLbService(new Docker(runner), variables).ResolveAsync(default));
        Assert.Contains("CreateCluster", error.Message);
    }
}

public class HelmfileDeployerTests
{
    static readonly HelmfileSpec Spec = new("/repo/helmfile.yaml", "kind-data-platform",
        [new Release("cert-manager", "cert-manager", []), new Release("traefik", "traefik", ["cert-manager/cert-manager"])]);

    const string Transient = "Error: UPGRADE FAILED: Internal error occurred: failed calling webhook \"webhook.cert-manager.io\": dial tcp 10.96.1.2:443: connect: connection refused";
    const string Permanent = """
        in ./helmfile.yaml: failed processing release traefik: command "/usr/bin/helm" exited with non-zero status:
        Error: template: traefik/templates/x.yaml:3: error calling requiredEnv: required env var `GLOBAL_DOMAIN` is not set

        FAILED RELEASES:
        NAME      NAMESPACE   CHART             VERSION   DURATION
        traefik   traefik     traefik/traefik   40.2.0          2s
        """;

    static (HelmfileDeployer, RecordingRunner) Deployer(int attempts)
    {
        var runner = new RecordingRunner();
        var helmfile = new Helmfile(runner, "kind-data-platform", Spec);
        return (new HelmfileDeployer(helmfile, Spec, new RetrySettings(attempts, TimeSpan.Zero), new TestConsole()), runner);
    }

    [Theory]
    [InlineData(Transient, true)]
    [InlineData("Error: timed out waiting for the condition", true)]
    [InlineData("tls: failed to verify certificate: x509: certificate signed by unknown authority", true)]
    [InlineData("Error: context deadline exceeded", true)]
    [InlineData(Permanent, false)]
    [InlineData("Error: chart \"nope\" not found", false)]
    public void Transient_failures_are_told_apart(string output, bool transient) => Assert.Equal(transient, HelmfileDeployer.IsTransient(output));

    [Fact]
    public void The_failed_release_is_read_from_helmfiles_report() =>
        Assert.Equal(["traefik"], HelmfileDeployer.FailedReleases(Permanent, Spec.Releases));

    [Fact]
    public async Task A_transient_failure_is_retried_until_it_succeeds()
    {
        var (deployer, runner) = Deployer(4);
        runner.Answer(1, "", Transient).Answer(0);
        await deployer.ApplyAsync(new Dictionary<string, string>(), default);
        Assert.Equal(2, runner.Commands.Count);
    }

    [Fact]
    public async Task Retries_are_bounded()
    {
        var (deployer, runner) = Deployer(3);
        for (var i = 0; i < 5; i++) runner.Answer(1, "", Transient);
        var error = await Assert.ThrowsAsync<BuildFailure>(() => deployer.ApplyAsync(new Dictionary<string, string>(), default));
        Assert.Equal(3, runner.Commands.Count);
        Assert.Contains("after 3 attempts", error.Message);
    }

    [Fact]
    public async Task Before_each_attempt_a_release_the_last_one_left_failed_is_synced_and_only_then_applied()
    {
        var runner = new RecordingRunner();
        var helmfile = new Helmfile(runner, "kind-data-platform", Spec);
        var repairer = new ReleaseRepairer(new Helm(runner, "kind-data-platform"), helmfile, Spec, new TestConsole());
        var deployer = new HelmfileDeployer(helmfile, Spec, new RetrySettings(4, TimeSpan.Zero), new TestConsole(), repairer);
        const string TraefikFailed = """[{"name":"traefik","namespace":"traefik","revision":"1","status":"failed"},{"name":"cert-manager","namespace":"cert-manager","revision":"1","status":"deployed"}]""";
        // helm is asked its version once (the list's form depends on its major), then lists before every attempt.
        runner.Answer(0, $"{Toolchain.PinnedTools.Pins.Helm.Version}+g1a2b3c4\n").Answer(0, "[]").Answer(1, "", Transient).Answer(0, TraefikFailed).Answer(0).Answer(0);

        await deployer.ApplyAsync(new Dictionary<string, string>(), default);

        var calls = runner.Commands.Where(c => !c.Arguments.Contains("version")).ToList();
        Assert.Single(runner.Commands, c => c.Arguments.Contains("version"));
        Assert.Equal(["helm list", "helmfile apply", "helm list", "helmfile sync", "helmfile apply"],
            calls.Select(c => $"{c.Program} {c.Arguments.First(a => a is "list" or "apply" or "sync")}"));
        Assert.Contains("name=traefik,namespace=traefik", calls[3].Arguments);
        Assert.DoesNotContain(calls[3].Arguments, a => a.Contains("cert-manager"));
    }

    [Theory]
    [InlineData(137, "SIGKILL")]
    [InlineData(143, "SIGTERM")]
    public async Task A_helmfile_killed_by_a_signal_is_reported_as_killed_like_any_tool_not_as_a_failed_release(int exitCode, string signal)
    {
        var (deployer, runner) = Deployer(4);
        runner.Answer(exitCode, "", "");
        var killed = await Assert.ThrowsAsync<ToolFailedException>(() => deployer.ApplyAsync(new Dictionary<string, string>(), default));
        Assert.Single(runner.Commands);   // never retried: the machine that killed it would kill it again

        var message = Failures.Describe(killed, memory: "7.6 GiB for Docker, 5.2 GiB requested")!;
        Assert.Contains($"helmfile was killed ({signal}, exit code {exitCode}): out of memory?", message);
        Assert.Contains("7.6 GiB for Docker", message);
        Assert.DoesNotContain("helmfile apply failed", message);
    }

    [Fact]
    public async Task A_repair_that_fails_is_named_by_its_own_command_not_as_the_apply()
    {
        var runner = new RecordingRunner();
        var helmfile = new Helmfile(runner, "kind-data-platform", Spec);
        var repairer = new ReleaseRepairer(new Helm(runner, "kind-data-platform"), helmfile, Spec, new TestConsole());
        var deployer = new HelmfileDeployer(helmfile, Spec, new RetrySettings(4, TimeSpan.Zero), new TestConsole(), repairer);
        const string TraefikFailed = """[{"name":"traefik","namespace":"traefik","revision":"1","status":"failed"}]""";
        runner.Answer(0, "v4.3.0+g1a2b3c4\n").Answer(0, "[]").Answer(1, "", Transient).Answer(0, TraefikFailed).Answer(1, "", Permanent);

        var error = await Assert.ThrowsAsync<BuildFailure>(() => deployer.ApplyAsync(new Dictionary<string, string>(), default));

        Assert.StartsWith("Repairing what an earlier attempt left failed (helmfile sync, before helmfile apply ran) on release traefik", error.Message);
        Assert.Contains("command: helmfile", error.Message);
        Assert.Contains(" sync", error.Message);
    }

    [Fact]
    public async Task A_permanent_failure_stops_at_once_and_names_the_release()
    {
        var (deployer, runner) = Deployer(4);
        runner.Answer(1, "", Permanent);
        var error = await Assert.ThrowsAsync<BuildFailure>(() => deployer.ApplyAsync(new Dictionary<string, string>(), default));
        Assert.Single(runner.Commands);
        Assert.Contains("release traefik", error.Message);
        Assert.Contains("GLOBAL_DOMAIN", error.Message); // the tail of stderr is shown
    }
}

public class RunnerTests
{
    [Fact]
    public void Secrets_are_masked_longest_first()
    {
        var mask = new SecretMask(() => ["pass", "password1"]);
        Assert.Equal("user=*** and ***", mask.Apply("user=password1 and pass"));
    }

    [Fact]
    public async Task Plan_runs_queries_and_only_prints_changes()
    {
        var inner = new RecordingRunner();
        var console = new TestConsole();
        var plan = new PlanningRunner(inner, console, SecretMask.None);
        await plan.RunAsync(Kind.GetClustersCommand());
        await plan.RunAsync(Kind.CreateClusterCommand("/repo/kind-config.yaml", "data-platform"));
        Assert.Equal(["get", "clusters"], Assert.Single(inner.Commands).Arguments);
        Assert.Contains("would run kind create cluster --name data-platform --config /repo/kind-config.yaml", System.Text.RegularExpressions.Regex.Replace(console.Output, @"\s+", " "));
    }

    [Fact]
    public async Task The_real_runner_reports_the_command_exit_code_and_stderr_tail()
    {
        // A real child process (sh), not a stand-in: the runner's own behaviour is what is tested here.
        var runner = new CliToolRunner(new TestConsole(), new SecretMask(() => ["hunter22"]), echoQueries: false);
        var command = new ToolCommand("sh", ["-c", "echo started; echo \"bad password hunter22\" >&2; exit 3"]);
        var error = await Assert.ThrowsAsync<ToolFailedException>(() => runner.RunAsync(command));
        Assert.Equal(3, error.Result.ExitCode);
        Assert.Contains("bad password ***", error.StandardErrorTail());
        Assert.DoesNotContain("hunter22", error.StandardErrorTail());
    }

    [Fact]
    public async Task Child_environment_carries_values_without_argv()
    {
        var runner = new CliToolRunner(new TestConsole(), SecretMask.None, echoQueries: false);
        var result = await runner.RunAsync(new ToolCommand("sh", ["-c", "printf %s \"$SECRET_VALUE\""]) { Environment = new Dictionary<string, string> { ["SECRET_VALUE"] = "xyz" } });
        Assert.Equal("xyz", result.StandardOutput);
    }

    [Fact]
    public async Task A_missing_program_says_how_to_get_it()
    {
        var runner = new CliToolRunner(new TestConsole(), SecretMask.None, echoQueries: false);
        var error = await Assert.ThrowsAsync<ToolNotFoundException>(() => runner.RunAsync(new ToolCommand("no-such-tool-xyz", [])));
        Assert.Contains("EnsureTools", error.Message);
    }
}
