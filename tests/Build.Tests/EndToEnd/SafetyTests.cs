using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The rules every call follows, checked on what the stand-in tools recorded: the platform's context only (the user's
/// kubeconfig has a decoy production context as current), and secrets only in helmfile's environment.
/// Runs target HelmfileApply, Up's whole mutating chain, not Up itself: Verify needs the platform's real endpoints,
/// which exist only on a machine with Docker (see <see cref="UpTests"/>; <see cref="UpVerifyTests"/> checks that
/// Verify, too, asks only the platform's API and never the decoy).
/// </summary>
public sealed class SafetyTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>, IDisposable
{
    readonly Scenario _machine = new(build);

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task Every_cluster_call_is_pinned_to_the_platform_context_and_the_decoy_is_never_used()
    {
        var cold = await _machine.RunBuildAsync("--target=HelmfileApply");
        await _machine.GivenAsync("kubectl", "config", "use-context", Scenario.DecoyContext);   // the user switches back to prod
        var warm = await _machine.RunBuildAsync("--target=HelmfileApply");
        var clean = await _machine.RunBuildAsync("--target=Clean");

        foreach (var run in new[] { cold, warm, clean })
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Empty(run.Violations);
            var clusterCalls = run.Calls.Where(c => c.IsClusterCall).ToList();
            Assert.All(clusterCalls, call => Assert.Equal(FixturePlatform.Context, call.Context));
            Assert.All(run.Calls, call => Assert.DoesNotContain(call.Argv, a => a.Contains(Scenario.DecoyContext)));
            Assert.DoesNotContain(Scenario.DecoyServer, run.Output);
        }
        Assert.Contains(warm.Calls, c => c.IsClusterCall);
        Assert.Contains(Scenario.DecoyContext, File.ReadAllText(_machine.KubeConfig));   // still there, untouched
    }

    [Fact]
    public async Task No_secret_is_in_any_argv_or_in_the_output_but_all_reach_helmfile_through_its_environment()
    {
        var htpasswd = Htpasswd.Line("registry", "registrypassword");
        string[] secrets = [.. FixturePlatform.SecretValues, htpasswd, htpasswd["registry:".Length..]];
        _machine.SetState("helmfile_failures", "transient\n");   // failure output and retries must not leak either

        var run = await _machine.RunBuildAsync("--target=HelmfileApply", "--verbosity=verbose");

        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var secret in secrets)
        {
            Assert.All(run.Calls, call => Assert.DoesNotContain(call.Argv, a => a.Contains(secret)));
            Assert.DoesNotContain(secret, run.Squashed);
        }
        var helmfile = run.Named("helmfile apply").First().Environment;
        Assert.Equal("adminpassword", helmfile["MINIO_SECRET_KEY"]);
        Assert.Equal("registrypassword", helmfile["REGISTRY_PASSWORD"]);
        Assert.Equal(htpasswd, helmfile["REGISTRY_HTPASSWD"]);
        // Only helmfile needs them: no other tool's environment carries a secret.
        Assert.All(run.Calls.Where(c => c.Tool != "helmfile"),
            call => Assert.DoesNotContain(call.Environment.Values, v => secrets.Any(v.Contains)));
    }

    [Fact]
    public async Task Helmfile_apply_alone_refuses_to_run_without_the_platform_context()
    {
        var run = await _machine.RunBuildAsync("--target=HelmfileApply", "--exclusive");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"kube context {FixturePlatform.Context} is not in your kubeconfig", run.Text);
        Assert.DoesNotContain(run.Calls, c => c.Tool == "helmfile");
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.False(run.HasStackTrace, run.ToString());
    }
}
