using DataPlatform.Build.Deploy;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Platform;
using DataPlatform.Build.Tests.Process;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.Deploy;

/// <summary>The repair of releases an earlier apply left behind, and the apply's bound: pure functions, no process.</summary>
public class ReleaseRecoveryTests
{
    static readonly Release Traefik = new("traefik", "traefik", []);
    static readonly Release Minio = new("minio", "minio", []);
    static readonly IReadOnlyList<Release> Declared = [Traefik, Minio];

    static HelmReleaseStatus Row(Release r, string status, int revision) => new(r.Name, r.Namespace, revision.ToString(), status, "chart-1.0.0");
    static HelmRevision Rev(int revision, string status) => new(revision, status, "");

    // status, revision, history (revision:status, oldest first) → what is done (and the rollback's target).
    [Theory]
    [InlineData("failed", 1, "", "Sync", null)]                                  // only revision failed: Helm 4 upgrades it, sync makes it
    [InlineData("failed", 4, "3:deployed 4:failed", "Sync", null)]
    [InlineData("pending-install", 1, "", "Uninstall", null)]                     // an interrupted install: nothing to keep
    [InlineData("pending-upgrade", 3, "1:superseded 2:deployed 3:pending-upgrade", "Rollback", 2)]
    [InlineData("pending-upgrade", 4, "1:deployed 2:failed 3:failed 4:pending-upgrade", "Rollback", 1)]   // the newest that worked, not the one before
    [InlineData("pending-rollback", 5, "3:superseded 4:failed 5:pending-rollback", "Rollback", 3)]
    [InlineData("pending-install", 3, "1:superseded 2:uninstalled 3:pending-install", "Rollback", 1)]      // a reinstall kept with --keep-history
    [InlineData("pending-upgrade", 2, "1:failed 2:pending-upgrade", "Uninstall", null)]                   // nothing ever worked
    [InlineData("uninstalling", 3, "", "Uninstall", null)]                        // an interrupted uninstall is finished
    public void Each_unsettled_status_gets_its_repair(string status, int revision, string history, string kind, int? rollbackTo)
    {
        var latest = Row(Traefik, status, revision);
        var revisions = history.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => h.Split(':')).Select(p => Rev(int.Parse(p[0]), p[1])).ToList();
        // The build reads the history exactly when the table gives one.
        Assert.Equal(revisions.Count > 0 && status is not ("failed" or "uninstalling"), ReleaseRecovery.NeedsHistory(latest));

        var repair = ReleaseRecovery.Decide(Traefik, latest, revisions);

        Assert.Equal(Enum.Parse<RepairKind>(kind), repair.Kind);
        Assert.Equal(rollbackTo, repair.RollbackTo);
        Assert.Contains(Traefik.Id, repair.Reason);
        Assert.Contains(status, repair.Reason);
    }

    [Theory]
    [InlineData("")]                                        // helm history printed nothing
    [InlineData("1:deployed 2:superseded")]                  // without the revision helm list showed
    public void A_history_that_lacks_the_latest_revision_stops_instead_of_uninstalling(string history)
    {
        var revisions = history.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => h.Split(':')).Select(p => Rev(int.Parse(p[0]), p[1])).ToList();

        var failure = Assert.Throws<BuildFailure>(() => ReleaseRecovery.Decide(Minio, Row(Minio, "pending-upgrade", 3), revisions));

        Assert.Contains("minio/minio is pending-upgrade at revision 3", failure.Message);
        Assert.Contains("will not uninstall it", failure.Message);
    }

    [Theory]
    [InlineData("failed", false)]
    [InlineData("pending-install", false)]   // at revision 1: uninstalled without asking
    [InlineData("pending-upgrade", true)]
    [InlineData("pending-rollback", true)]
    public void Only_a_rollback_reads_the_history(string status, bool reads) =>
        Assert.Equal(reads, ReleaseRecovery.NeedsHistory(Row(Traefik, status, 1)));

    [Theory]
    [InlineData("deployed")]
    [InlineData("superseded")]
    [InlineData("unknown")]
    public void Settled_statuses_are_left_to_the_apply(string status) =>
        Assert.Empty(ReleaseRecovery.Unsettled([Row(Traefik, status, 2)], Declared));

    [Fact]
    public void Only_declared_releases_are_repaired_matched_on_namespace_and_name_at_their_latest_revision()
    {
        HelmReleaseStatus[] listed =
        [
            new("traefik", "other-team", "3", "failed", "traefik-1"),        // the platform's name, another namespace
            new("legacy", "traefik", "1", "pending-install", "legacy-1"),    // the platform's namespace, another name
            new("minio", "minio", "1", "failed", "minio-1"),                  // an older row of a release
            new("minio", "minio", "2", "deployed", "minio-1"),
            Row(Traefik, "failed", 2),
        ];

        var unsettled = ReleaseRecovery.Unsettled(listed, Declared);

        var (release, latest) = Assert.Single(unsettled);
        Assert.Equal(Traefik, release);
        Assert.Equal("2", latest.Revision);
    }

    [Fact]
    public void Needs_groups_are_the_longest_chain_as_helmfile_batches_the_DAG()
    {
        Release R(string name, params string[] needs) => new(name, "ns", needs.Select(n => "ns/" + n).ToList());
        Assert.Equal(0, HelmfileSpec.NeedsGroups([]));
        Assert.Equal(1, HelmfileSpec.NeedsGroups([R("a"), R("b")]));
        Assert.Equal(3, HelmfileSpec.NeedsGroups([R("a"), R("b", "a"), R("c", "b"), R("d", "a")]));
        Assert.Equal(2, HelmfileSpec.NeedsGroups([R("c", "b", "z"), R("b")]));   // a need outside the subset (a selector's) does not count
    }

    [Fact]
    public void The_platforms_apply_is_bounded_by_its_needs_groups_times_helmDefaults_timeout_plus_slack()
    {
        var spec = HelmfileSpec.Load(RepoRoot.File("helmfile.yaml"));
        var groups = HelmfileSpec.NeedsGroups(spec.Releases);
        // Every release waits for its deepest need: the chain through the needs is as long as the groups.
        var depth = new Dictionary<string, int>();
        int Depth(Release r) => depth.TryGetValue(r.Id, out var d) ? d
            : depth[r.Id] = 1 + r.Needs.Select(n => Depth(spec.Releases.Single(x => x.Id == n))).DefaultIfEmpty(0).Max();
        Assert.Equal(spec.Releases.Max(Depth), groups);
        Assert.True(groups > 1, "helmfile.yaml has needs chains");

        var apply = new Helmfile(new RecordingRunner(), spec.KubeContext, spec).ApplyCommand(new Dictionary<string, string>());

        Assert.Equal(spec.HelmTimeout * groups + Helmfile.Slack, apply.Timeout);
        Assert.Contains($"{groups} needs groups × helmDefaults.timeout {spec.HelmTimeout.TotalSeconds:0}s", apply.WhenHung);
    }

    [Theory]
    [InlineData("  timeout: 600\n", 600)]
    [InlineData("", 300)]                    // absent: helm's own default, as helmfile passes none
    public void HelmDefaults_timeout_is_read_in_seconds(string timeoutLine, int seconds)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("helmfile-timeout-").FullName, "helmfile.yaml");
        File.WriteAllText(file, $"helmDefaults:\n  kubeContext: kind-x\n{timeoutLine}commonLabels:\n  app.kubernetes.io/managed-by: data-platform-build\nreleases:\n  - name: a\n    namespace: ns\n    chart: ./charts/a\n");
        Assert.Equal(TimeSpan.FromSeconds(seconds), HelmfileSpec.Load(file).HelmTimeout);
    }

    [Fact]
    public void A_timeout_that_is_not_a_number_of_seconds_is_refused_with_its_line()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("helmfile-timeout-").FullName, "helmfile.yaml");
        File.WriteAllText(file, "helmDefaults:\n  kubeContext: kind-x\n  timeout: 10m\ncommonLabels:\n  app.kubernetes.io/managed-by: data-platform-build\nreleases:\n  - name: a\n    namespace: ns\n    chart: ./charts/a\n");
        var error = Assert.Throws<ConfigFileException>(() => HelmfileSpec.Load(file));
        Assert.Contains("helmDefaults.timeout is '10m'", error.Message);
        Assert.Contains(":3", error.Message);
    }

    [Fact]
    public void The_sync_selects_each_release_by_name_and_namespace_with_the_applys_environment_and_context()
    {
        var spec = new HelmfileSpec("/repo/helmfile.yaml", "kind-x", Declared);
        var env = new Dictionary<string, string> { ["MINIO_SECRET_KEY"] = "s3cret" };
        var sync = new Helmfile(new RecordingRunner(), "kind-x", spec).SyncCommand(env, [Traefik, Minio]);

        Assert.Equal(["--file", "/repo/helmfile.yaml", "--kube-context", "kind-x",
                      "--selector", "name=traefik,namespace=traefik", "--selector", "name=minio,namespace=minio", "sync", "--sync-release-labels"], sync.Arguments);
        Assert.Equal("s3cret", sync.Environment["MINIO_SECRET_KEY"]);   // the apply's variables, in the child's environment only
        Assert.Equal("1", sync.Environment[Helmfile.UpgradeNoticeVariable]);
        Assert.True(sync.Mutating);
        Assert.Equal(spec.HelmTimeout + Helmfile.Slack, sync.Timeout);   // two unrelated releases: one group
    }

    [Fact]
    public void Uninstall_and_rollback_are_pinned_mutating_and_bounded_history_only_reads()
    {
        var helm = new Helm(new RecordingRunner(), "kind-x");
        var uninstall = helm.UninstallCommand("traefik", "traefik", TimeSpan.FromSeconds(600));
        var rollback = helm.RollbackCommand("minio", "minio", 2, TimeSpan.FromSeconds(600));
        var history = helm.HistoryCommand("minio", "minio");

        Assert.Equal(["--kube-context", "kind-x", "uninstall", "traefik", "--namespace", "traefik", "--wait", "--timeout", "600s"], uninstall.Arguments);
        Assert.Equal(["--kube-context", "kind-x", "rollback", "minio", "2", "--namespace", "minio", "--timeout", "600s"], rollback.Arguments);
        Assert.Equal(["--kube-context", "kind-x", "history", "minio", "--namespace", "minio", "--output", "json"], history.Arguments);
        Assert.True(uninstall.Mutating && rollback.Mutating);
        Assert.False(history.Mutating);
        Assert.All(new[] { uninstall, rollback }, c => Assert.True(c.Timeout > TimeSpan.FromSeconds(600) && c.WhenHung is not null));
    }

    [Fact]
    public void The_warm_gate_names_every_declared_release_that_is_failed_or_pending()
    {
        var inputs = new AppliedInputs(new Dictionary<string, string> { ["helmfile.yaml"] = "aa" });
        var stored = new AppliedRecord(DateTimeOffset.UnixEpoch, inputs.Fingerprint, inputs);
        var health = new PlatformHealth([]) { UnsettledReleases = ["traefik/traefik (failed)", "minio/minio (pending-install)"] };

        var decision = ApplyDecision.Decide(stored, inputs, health, force: false);

        Assert.True(decision.Apply);
        Assert.Contains("releases traefik/traefik (failed), minio/minio (pending-install) are not deployed", decision.Reason);
    }
}
