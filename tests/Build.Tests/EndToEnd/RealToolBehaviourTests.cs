using System.Text.Json.Nodes;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Toolchain;
using DataPlatform.Build.Tests.Verify;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// Three behaviours of the real tools that broke real runs while every stand-in agreed with the build: kind takes
/// KIND_CLUSTER_NAME over the config's name, helmfile's `version` fails offline unless its upgrade notice is turned
/// off, and Helm 4 refuses Helm 3's `list --all` while Helm 3 hides pending releases without it. The stand-ins
/// (tests/standins/standin.py) now copy each behaviour from the upstream file their comments name; these runs go
/// through the real ./build.sh against them. (kind and helmfile have no binary on this machine's registries; helm's
/// real binaries run in the Category=RealTools tests.)
/// </summary>
public sealed class RealToolBehaviourTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>
{
    const string MutatingChain = "--target=HelmfileApply";

    [Fact]
    public async Task A_user_s_KIND_CLUSTER_NAME_does_not_rename_the_platform_s_cluster()
    {
        using var machine = new Scenario(build);
        machine.UserEnvironment["KIND_CLUSTER_NAME"] = "my-other-cluster";

        var run = await machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([FixturePlatform.ClusterName], machine.Clusters);
        // Every kind call that takes a name is given kind-config.yaml's, so the variable never decides.
        Assert.All(run.Calls.Where(c => c.Tool == "kind" && c.Words.FirstOrDefault() is "create" or "delete" or "export"),
            c => Assert.Equal(FixturePlatform.ClusterName, c.Argv[c.Argv.ToList().IndexOf("--name") + 1]));

        var clean = await machine.RunBuildAsync("--target=Clean");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Empty(machine.Clusters);
    }

    [Fact]
    public async Task An_offline_machine_keeps_the_helmfile_on_its_PATH_instead_of_downloading_another()
    {
        // A root without the shared root's version cache, so helmfile's version is asked in this run.
        using var root = await CaseRoot.CopyAsync(build);
        File.Delete(root.File(".tools/versions.json"));
        using var machine = new Scenario(build) { BuildRoot = root.Path };

        var run = await machine.RunBuildAsync("--target=EnsureTools");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"helmfile\s+│?\s*found on PATH", run.Output);
        Assert.DoesNotContain("would download helmfile", run.Output);
        var probe = Assert.Single(run.Calls, c => c.Tool == "helmfile");
        Assert.Equal("1", probe.Environment["HELMFILE_UPGRADE_NOTICE_DISABLED"]);
    }

    [Fact]
    public async Task Every_helmfile_call_of_an_apply_turns_the_upgrade_notice_off()
    {
        using var machine = new Scenario(build);

        var run = await machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        var helmfileCalls = run.Calls.Where(c => c.Tool == "helmfile").ToList();
        Assert.Contains(helmfileCalls, c => c.Signature == "helmfile apply");
        Assert.All(helmfileCalls, c => Assert.Equal("1", c.Environment.GetValueOrDefault("HELMFILE_UPGRADE_NOTICE_DISABLED")));
    }

    /// <summary>The pinned helm (4: `list` shows every status by default, and refuses --all) and the oldest tools.yaml
    /// accepts (3: `list` hides pending-install unless given --all).</summary>
    public static TheoryData<string> PinnedAndOldestHelm =>
        new() { PinnedTools.Bare(PinnedTools.Pins.Helm.Version), PinnedTools.Bare(PinnedTools.Pins.Helm.Minimum!) };

    [Theory]
    [MemberData(nameof(PinnedAndOldestHelm))]
    public async Task A_warm_run_sees_a_release_left_pending_install_whichever_helm_major_lists_it(string helmVersion)
    {
        await using var api = await FakeKubeApi.StartAsync();
        // A root of its own, without the shared root's version cache: the stand-in answers this version for the same file,
        // which a real helm binary never does (the build keeps each binary's answer until the file changes).
        using var root = await CaseRoot.CopyAsync(build);
        File.Delete(root.File(".tools/versions.json"));
        using var machine = new Scenario(build) { ApiServer = api.Url, BuildRoot = root.Path };
        machine.UserEnvironment["STANDIN_VERSION_HELM"] = helmVersion;
        new ClusterScenario().ServeFrom(api);
        var first = await machine.RunBuildAsync(MutatingChain);
        Assert.True(first.ExitCode == 0, first.ToString());

        var healthy = await machine.RunBuildAsync(MutatingChain);
        Assert.True(healthy.ExitCode == 0, healthy.ToString());
        Assert.Contains("helmfile apply skipped", healthy.Text);

        var releases = JsonNode.Parse(machine.ReadState("releases")!)!.AsArray();
        var stuck = releases.First(r => r!["name"]!.GetValue<string>() == "minio")!;
        stuck["status"] = "pending-install";
        machine.SetState("releases", releases.ToJsonString());

        var warm = await machine.RunBuildAsync(MutatingChain);

        Assert.True(warm.ExitCode == 0, warm.ToString());
        Assert.Contains("is pending-install", warm.Text);
        Assert.DoesNotContain("helmfile apply skipped", warm.Text);
        Assert.Empty(warm.Violations);
    }
}
