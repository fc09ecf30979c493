using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Verify;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// Releases an earlier apply left failed or pending are repaired, through the real ./build.sh. helm and helmfile are
/// stand-ins here (tests/standins/standin.py): they keep helm's release history and follow helmfile's skip rule, as
/// the upstream files cited there do: `helmfile apply` leaves an unchanged failed release failed (helm-diff finds
/// nothing to change), `helmfile sync` upgrades it, and a pending release blocks every helm operation on it. Each test
/// first shows, by hand, what the plain apply would have left, then that the build gets past it.
/// </summary>
public sealed class RecoveryTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>, IDisposable
{
    const string MutatingChain = "--target=HelmfileApply";
    readonly Scenario _machine = new(build);

    public void Dispose() => _machine.Dispose();

    IReadOnlyList<Release> Declared(string? root = null) => HelmfileSpec.Load(Path.Combine(root ?? build.Root, "helmfile.yaml")).Releases;

    void AssertEveryDeclaredReleaseDeployed(string? root = null)
    {
        var releases = _machine.Releases;
        Assert.All(Declared(root), r => Assert.True(releases.TryGetValue(r.Id, out var row) && row.Status == "deployed",
            $"{r.Id}: {(releases.TryGetValue(r.Id, out var s) ? s.Status : "not installed")}"));
    }

    /// <summary>helmfile by hand, with the variables the build gave it, from the build's own clone.</summary>
    Task<ChildResult> HelmfileByHand(StandinCall buildsCall, params string[] command) =>
        _machine.RunToolAsync("helmfile", buildsCall.Environment,
            ["--file", Path.Combine(build.Root, "helmfile.yaml"), "--kube-context", FixturePlatform.Context, .. command]);

    /// <summary>"helm uninstall", "helmfile sync": the tool and its command (a signature would add the release's name).</summary>
    static string Verb(StandinCall call) => $"{call.Tool} {call.Words.FirstOrDefault()}";

    static bool Touches(StandinCall call, string ns, string name) =>
        call.Argv.Contains(name) && call.Argv.Contains(ns) || call.Argv.Any(a => a.Contains($"name={name},namespace={ns}"));

    [Fact]
    public async Task A_transient_failure_that_leaves_a_release_failed_ends_after_the_retry_with_every_release_deployed()
    {
        _machine.SetState("helmfile_failures", "transient\n");

        var run = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertEveryDeclaredReleaseDeployed();
        // Attempt 2 synced the release attempt 1 left failed, then applied the rest.
        var deploys = run.Calls.Where(c => c.Signature is "helmfile apply" or "helmfile sync").ToList();
        Assert.Equal(["helmfile apply", "helmfile sync", "helmfile apply"], deploys.Select(c => c.Signature));
        var sync = deploys[1];
        Assert.Contains("name=traefik,namespace=traefik", sync.Argv);
        Assert.Equal(FixturePlatform.Context, sync.Context);
        Assert.Equal(deploys[0].Environment["MINIO_SECRET_KEY"], sync.Environment["MINIO_SECRET_KEY"]);   // the apply's variables, secrets in env
        Assert.Contains("release traefik/traefik is failed (revision 1): helmfile sync upgrades it", run.Text);
        Assert.Empty(run.Violations);
    }

    [Fact]
    public async Task A_release_left_failed_stays_failed_under_a_plain_apply_and_the_next_Up_syncs_it_and_plans_show_the_sync_first()
    {
        _machine.SetState("helmfile_failures", "transient\n");
        var first = await _machine.RunBuildAsync(MutatingChain, "--helmfile-attempts=1");
        Assert.NotEqual(0, first.ExitCode);
        Assert.Equal("failed", _machine.Releases["traefik/traefik"].Status);

        // The plain re-apply, by hand: exits 0 and leaves the release failed (its diff is empty).
        var plain = await HelmfileByHand(first.Named("helmfile apply").Single(), "apply", "--suppress-secrets", "--skip-diff-on-install");
        Assert.True(plain.ExitCode == 0, plain.Output);
        Assert.Equal("failed", _machine.Releases["traefik/traefik"].Status);

        var plan = await _machine.RunBuildAsync(MutatingChain, "--plan");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.DoesNotContain(plan.Calls, c => c.IsMutating);
        Assert.Contains("--kube-contextkind-data-platform--selectorname=traefik,namespace=traefiksync", plan.Squashed);   // console lines may wrap
        Assert.Equal("failed", _machine.Releases["traefik/traefik"].Status);

        var next = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(next.ExitCode == 0, next.ToString());
        AssertEveryDeclaredReleaseDeployed();
        Assert.Equal(["helmfile sync", "helmfile apply"], next.Calls.Where(c => c.IsMutating && c.Tool == "helmfile").Select(c => c.Signature));
    }

    [Fact]
    public async Task A_pending_install_left_by_a_killed_apply_is_uninstalled_and_installed_by_the_next_Up()
    {
        _machine.SetState("helmfile_failures", "killed:traefik\n");
        var killed = await _machine.RunBuildAsync(MutatingChain);
        Assert.True(killed.ExitCode != 0, killed.ToString());
        Assert.Equal(("pending-install", "1"), _machine.Releases["traefik/traefik"]);

        // By hand: the plain apply skips it (its diff is empty) and exits 0; a sync of it is refused while it is pending.
        var helmfileCall = killed.Named("helmfile apply").Single();
        var plain = await HelmfileByHand(helmfileCall, "apply", "--suppress-secrets", "--skip-diff-on-install");
        Assert.True(plain.ExitCode == 0, plain.Output);
        Assert.Equal("pending-install", _machine.Releases["traefik/traefik"].Status);
        var sync = await HelmfileByHand(helmfileCall, "--selector", "name=traefik,namespace=traefik", "sync");
        Assert.NotEqual(0, sync.ExitCode);
        Assert.Contains("another operation (install/upgrade/rollback) is in progress", sync.Output);

        var plan = await _machine.RunBuildAsync(MutatingChain, "--plan");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.DoesNotContain(plan.Calls, c => c.IsMutating);
        Assert.Contains("wouldrunhelm--kube-contextkind-data-platformuninstalltraefik--namespacetraefik--wait", plan.Squashed);
        Assert.Equal("pending-install", _machine.Releases["traefik/traefik"].Status);

        var next = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(next.ExitCode == 0, next.ToString());
        AssertEveryDeclaredReleaseDeployed();
        Assert.Equal(["helm uninstall", "helmfile apply", "kubectl apply"], next.Calls.Where(c => c.IsMutating).Select(Verb));
        Assert.Equal("1", _machine.Releases["traefik/traefik"].Revision);   // installed afresh
        Assert.Contains("release traefik/traefik is pending-install (an install was interrupted)", next.Text);
        Assert.All(next.Calls.Where(c => c.IsClusterCall), c => Assert.Equal(FixturePlatform.Context, c.Context));
    }

    [Fact]
    public async Task A_pending_upgrade_is_rolled_back_to_the_last_revision_that_worked_and_then_upgraded()
    {
        using var root = await CaseRoot.CopyAsync(build);
        _machine.BuildRoot = root.Path;
        Assert.Equal(0, (await _machine.RunBuildAsync(MutatingChain)).ExitCode);
        root.Edit("values/minio.yaml.gotmpl", text => text.Replace("memory: 512Mi", "memory: 768Mi"));
        _machine.SetState("helmfile_failures", "killed:minio\n");
        Assert.NotEqual(0, (await _machine.RunBuildAsync(MutatingChain)).ExitCode);
        Assert.Equal(("pending-upgrade", "2"), _machine.Releases["minio/minio"]);

        var next = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(next.ExitCode == 0, next.ToString());
        AssertEveryDeclaredReleaseDeployed(root.Path);
        var rollback = Assert.Single(next.Calls, c => Verb(c) == "helm rollback");
        Assert.Equal(["rollback", "minio", "1"], rollback.Words);
        Assert.Equal("minio", rollback.Argv[rollback.Argv.ToList().IndexOf("--namespace") + 1]);
        Assert.Single(next.Calls, c => Verb(c) == "helm history");
        Assert.True(next.Calls.ToList().FindIndex(c => Verb(c) == "helm rollback") < next.Calls.ToList().FindIndex(c => Verb(c) == "helmfile apply"));
        Assert.Equal("4", _machine.Releases["minio/minio"].Revision);   // 3 the rollback, 4 the upgrade the apply then made
    }

    [Fact]
    public async Task A_warm_Up_over_a_failed_release_repairs_it_instead_of_skipping_and_names_it()
    {
        await using var api = await FakeKubeApi.StartAsync();
        _machine.ApiServer = api.Url;
        new ClusterScenario().ServeFrom(api);
        var first = await _machine.RunBuildAsync(MutatingChain);
        Assert.True(first.ExitCode == 0, first.ToString());
        // Someone's sync of minio then hit a webhook that refused: minio's latest revision is failed, the inputs unchanged.
        _machine.SetState("helmfile_failures", "transient\n");
        var byHand = await HelmfileByHand(first.Named("helmfile apply").Single(), "--selector", "name=minio,namespace=minio", "sync");
        Assert.NotEqual(0, byHand.ExitCode);
        Assert.Equal("failed", _machine.Releases["minio/minio"].Status);

        var warm = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(warm.ExitCode == 0, warm.ToString());
        Assert.DoesNotContain("helmfile apply skipped", warm.Text);
        Assert.Contains("but release minio/minio (failed) is not deployed", warm.Text);
        Assert.Equal(["helmfile sync", "helmfile apply"], warm.Calls.Where(c => c.IsMutating && c.Tool == "helmfile").Select(c => c.Signature));
        AssertEveryDeclaredReleaseDeployed();
        Assert.Empty(warm.Violations);
    }

    [Fact]
    public async Task A_failed_or_pending_release_that_is_not_the_platforms_is_never_touched_nor_keeps_the_warm_gate_applying()
    {
        await using var api = await FakeKubeApi.StartAsync();
        _machine.ApiServer = api.Url;
        new ClusterScenario().ServeFrom(api);
        // Same names as the platform's releases, other namespaces; and one of another name in a platform namespace.
        var foreign = new[] { ("other-team", "traefik", "failed", "3"), ("default", "minio", "pending-install", "1"), ("traefik", "legacy", "pending-upgrade", "2") };
        _machine.SetState("releases", "[" + string.Join(",", foreign.Select(f =>
            $$"""{"name":"{{f.Item2}}","namespace":"{{f.Item1}}","revision":"{{f.Item4}}","status":"{{f.Item3}}","chart":"x-1.0.0","app_version":""}""")) + "]");

        var cold = await _machine.RunBuildAsync(MutatingChain);
        var warm = await _machine.RunBuildAsync(MutatingChain);

        Assert.True(cold.ExitCode == 0, cold.ToString());
        Assert.True(warm.ExitCode == 0, warm.ToString());
        AssertEveryDeclaredReleaseDeployed();
        foreach (var (ns, name, status, revision) in foreign)
        {
            Assert.Equal((status, revision), _machine.Releases[$"{ns}/{name}"]);
            Assert.DoesNotContain(cold.Calls.Concat(warm.Calls), c => c.Tool is "helm" or "helmfile" && c.IsMutating && Touches(c, ns, name));
        }
        Assert.DoesNotContain(cold.Calls.Concat(warm.Calls), c => Verb(c) is "helmfile sync" or "helm uninstall" or "helm rollback");
        Assert.Contains("helmfile apply skipped", warm.Text);
    }
}
