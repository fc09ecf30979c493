using DataPlatform.Build.Deploy;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tests.Process;
using DataPlatform.Build.Tools;
using k8s.Models;
using Spectre.Console;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.Deploy;

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
