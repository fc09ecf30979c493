using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Toolchain;
using DataPlatform.Build.Tools;
using static DataPlatform.Build.Tests.RealTools.RealToolsAssertions;

namespace DataPlatform.Build.Tests.RealTools;

/// <summary>
/// helm's command lines run by the real helm 4.1.4 and helm 3.18.0 (the oldest tools.yaml accepts) against releases
/// seeded in the fake API exactly as helm stores them, read back with the build's own parser.
/// </summary>
[Trait("Category", "RealTools")]
public sealed class HelmRealToolsTests
{
    const string Context = RealToolsWorld.Context;

    /// <summary>A platform caught in every state a release can be left in, each release's latest revision being the one named.</summary>
    static readonly FakeHelmRelease[] Platform =
    [
        new("cert-manager", "cert-manager", 1, "deployed"),
        new("traefik", "traefik", 1, "superseded"),
        new("traefik", "traefik", 2, "failed"),
        new("minio", "minio", 1, "pending-install"),
        new("metallb", "metallb-system", 1, "deployed") { Description = "Install complete" },
        new("metallb", "metallb-system", 2, "pending-upgrade"),
        new("registry", "registry", 1, "uninstalling"),
    ];

    static readonly (string Release, string Status)[] Latest =
        [("cert-manager", "deployed"), ("metallb", "pending-upgrade"), ("minio", "pending-install"), ("registry", "uninstalling"), ("traefik", "failed")];

    static async Task<RealToolsWorld> PlatformWorldAsync()
    {
        var world = await RealToolsWorld.StartAsync();
        foreach (var release in Platform) world.Api.SeedHelmRelease(release);
        return world;
    }

    static (string, string)[] Rows(IEnumerable<HelmReleaseStatus> releases) => releases.Select(r => (r.Name, r.Status!)).Order().ToArray();

    /// <summary>
    /// Helm 4 lists every status when given no status flag: the wrapper asks the real helm for its version, then lists
    /// in that major's form, and the build's parser reads what real helm printed.
    /// </summary>
    [Fact]
    [RunsCommandLine("Helm.ListReleasesCommand")]
    [RunsCommandLine("Helm.VersionCommand")]
    public async Task Helm4_list_without_status_flags_shows_every_status_and_the_build_reads_it()
    {
        await using var world = await PlatformWorldAsync();
        var helm = new Helm(world.Runner(RealBinaries.Helm4), Context);

        var releases = await helm.ListReleasesAsync(CancellationToken.None);

        Assert.DoesNotContain("--all", (await helm.ListReleasesCommandAsync(CancellationToken.None)).Arguments);
        Assert.Equal(ToolVersion.Parse("v4.1.4"), await helm.VersionAsync(CancellationToken.None));
        Assert.Equal(Latest, Rows(releases));
        Assert.Equal("2", releases.Single(r => r.Name == "traefik").Revision);
        Assert.Equal("demo-1.0.0", releases.Single(r => r.Name == "minio").Chart);
        Assert.Contains(world.Api.Requests, r => r.Path == "/api/v1/secrets" && r.Query.Contains("labelSelector=owner%3Dhelm"));
        OnlyPlatformContextAsked(world);
    }

    /// <summary>Why the wrapper chooses by major version (issue 17, bug 1): Helm 4 removed --all (helm/helm#31295).</summary>
    [Fact]
    public async Task Helm4_rejects_the_all_flag()
    {
        await using var world = await PlatformWorldAsync();
        var command = new ToolCommand("helm", ["--kube-context", Context, "list", "--all-namespaces", "--all", "--output", "json"]) { AllowFailure = true };

        var result = await world.RunAsync(command, RealBinaries.Helm4);

        Assert.False(result.Succeeded);
        Assert.Contains("unknown flag: --all", result.StandardError);
    }

    /// <summary>The wrapper's line for Helm 3 (with --all, chosen from the real helm's version), read by the build's Helm.ListReleasesAsync.</summary>
    [Fact]
    [RunsCommandLine("Helm.ListReleasesCommand")]
    [RunsCommandLine("Helm.VersionCommand")]
    public async Task Helm3_list_with_all_shows_every_status_and_the_build_reads_it()
    {
        await using var world = await PlatformWorldAsync();
        var helm = new Helm(world.Runner(RealBinaries.Helm3), Context);

        var releases = await helm.ListReleasesAsync(CancellationToken.None);

        Assert.Equal(Latest, Rows(releases));
        Assert.Contains("--all", (await helm.ListReleasesCommandAsync(CancellationToken.None)).Arguments);
        OnlyPlatformContextAsked(world);
    }

    /// <summary>Why Helm 3 needs --all (issue 17, bug 1): its default list hides pending and uninstalling releases.</summary>
    [Fact]
    public async Task Helm3_list_without_all_hides_pending_and_uninstalling_releases()
    {
        await using var world = await PlatformWorldAsync();
        var command = new ToolCommand("helm", ["--kube-context", Context, "list", "--all-namespaces", "--output", "json"]);

        var result = await world.RunAsync(command, RealBinaries.Helm3);

        Succeeded(result, command);
        var shown = Rows(HelmReleaseStatus.ParseList(result.StandardOutput));
        Assert.Contains(("cert-manager", "deployed"), shown);
        Assert.Contains(("traefik", "failed"), shown);
        Assert.DoesNotContain(shown, r => r.Item1 is "minio" or "metallb" or "registry");
        OnlyPlatformContextAsked(world);
    }

    [Theory]
    [InlineData(4, "4.1.4")]
    [InlineData(3, "3.18.0")]
    [RunsCommandLine("ToolInstaller.VersionCommand(helm)")]
    public async Task The_helm_version_probe_reads_no_cluster(int major, string version)
    {
        await using var world = await RealToolsWorld.StartAsync();
        var command = ToolInstaller.VersionCommand("helm", "helm", Context);

        var result = await world.RunAsync(command, major == 4 ? RealBinaries.Helm4 : RealBinaries.Helm3);

        Succeeded(result, command);
        Assert.Equal(ToolVersion.Parse(version), ToolVersion.Parse(result.StandardOutput));
        Assert.Empty(world.Api.Requests);
        Assert.Empty(world.Decoy.Requests);
    }

    // Release recovery (issue 24): the repair's command lines, built by the wrapper, run by both majors.

    static readonly TimeSpan HelmWait = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    [RunsCommandLine("Helm.HistoryCommand")]
    public async Task History_as_json_lists_every_revision_with_its_status_and_the_build_reads_it(int major)
    {
        await using var world = await PlatformWorldAsync();
        var helm = new Helm(world.Runner(Helm(major)), Context);

        var revisions = await helm.HistoryAsync("metallb", "metallb-system", CancellationToken.None);

        Assert.Equal([(1, "deployed"), (2, "pending-upgrade")], revisions.Select(r => (r.Revision, r.Status!)).ToArray());
        OnlyPlatformContextAsked(world);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    [RunsCommandLine("Helm.UninstallCommand")]
    public async Task Uninstall_of_a_release_stuck_in_pending_install_removes_its_records(int major)
    {
        await using var world = await PlatformWorldAsync();
        var command = new Helm(world.Runner(Helm(major)), Context).UninstallCommand("minio", "minio", HelmWait);

        var result = await world.RunAsync(command, Helm(major));

        Succeeded(result, command);
        Assert.Contains("release \"minio\" uninstalled", result.StandardOutput);
        Assert.DoesNotContain(world.Api.HelmReleases(), r => r["name"]!.GetValue<string>() == "minio");
        Assert.Contains(world.Api.HelmReleases(), r => r["name"]!.GetValue<string>() == "cert-manager");
        Assert.Contains(world.Api.Requests, r => r.Method == "DELETE" && r.Path == "/api/v1/namespaces/minio/secrets/sh.helm.release.v1.minio.v1");
        OnlyPlatformContextAsked(world);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    [RunsCommandLine("Helm.RollbackCommand")]
    public async Task Rollback_of_a_release_stuck_in_pending_upgrade_deploys_a_new_revision(int major)
    {
        await using var world = await PlatformWorldAsync();
        var command = new Helm(world.Runner(Helm(major)), Context).RollbackCommand("metallb", "metallb-system", 1, HelmWait);

        var result = await world.RunAsync(command, Helm(major));

        Succeeded(result, command);
        var metallb = world.Api.HelmReleases().Where(r => r["name"]!.GetValue<string>() == "metallb")
            .ToDictionary(r => r["version"]!.GetValue<int>(), r => r["info"]!["status"]!.GetValue<string>());
        Assert.Equal("deployed", metallb[3]);
        Assert.NotEqual("deployed", metallb[2]);
        var listed = await world.RunAsync(new ToolCommand("helm", ["--kube-context", Context, "list", "--all-namespaces", "--output", "json"]), Helm(major));
        Assert.Contains(HelmReleaseStatus.ParseList(listed.StandardOutput), r => r is { Name: "metallb", Revision: "3", Status: "deployed" });
        OnlyPlatformContextAsked(world);
    }

    /// <summary>
    /// The labels helmfile hands helm for each platform release (helmfile.yaml's commonLabels with syncReleaseLabels;
    /// helmfile pkg/state/helmx.go formatLabels: `--labels k=v,...`, keys sorted): the real helm accepts the prefixed
    /// ownership key (it checks only that no key is one of its own system labels, pkg/action/install.go), keeps the labels
    /// on the release's Secret (pkg/storage/driver/secrets.go), and the build reads them back from there in process.
    /// </summary>
    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    public async Task Upgrade_install_with_the_platforms_labels_keeps_them_on_the_releases_record_and_the_build_reads_them(int major)
    {
        await using var world = await RealToolsWorld.StartAsync();
        var chart = Directory.CreateTempSubdirectory("labelled-chart-").FullName;
        File.WriteAllText(Path.Combine(chart, "Chart.yaml"), "apiVersion: v2\nname: empty\nversion: 0.1.0\n");
        var ownership = HelmfileSpec.Load(Tests.Platform.RepoRoot.File("helmfile.yaml")).Ownership;
        var command = new ToolCommand("helm", ["--kube-context", Context, "upgrade", "--install", "metallb", chart, "--namespace", "metallb-system",
                                               "--labels", $"{ownership.Selector},loadBalancer=metallb"]);

        var result = await world.RunAsync(command, Helm(major));

        Succeeded(result, command);
        var secret = world.Api.Find("v1", "Secret", "metallb-system", HelmReleaseSecrets.SecretName("metallb", 1))!;
        Assert.Equal(ownership.Value, secret["metadata"]!["labels"]![OwnershipLabel.Key]!.GetValue<string>());
        var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = world.Api.Url });
        var read = Assert.Single(await HelmReleaseRecords.LatestInAsync(client, "secret", "metallb-system", CancellationToken.None));
        Assert.True(ownership.Marks(read.Labels), string.Join(",", read.Labels));
        Assert.Equal("metallb", read.Labels["loadBalancer"]);
        Assert.DoesNotContain("owner", read.Labels.Keys);
        Directory.Delete(chart, recursive: true);
    }

    static string Helm(int major) => major == 4 ? RealBinaries.Helm4 : RealBinaries.Helm3;
}
