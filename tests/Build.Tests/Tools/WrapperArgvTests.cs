using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Process;
using DataPlatform.Build.Tests.Toolchain;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.Tools;

public class WrapperArgvTests
{
    const string Context = "kind-data-platform";
    static readonly RecordingRunner Runner = new();

    [Fact]
    public void Kubectl_always_names_the_platform_context_first()
    {
        var kubectl = new Kubectl(Runner, Context);
        foreach (var command in new[] { kubectl.WaitForNodesReadyCommand(TimeSpan.FromMinutes(5)), kubectl.ApplyFileCommand("r.json"), kubectl.ServerSideApplyCommand("f.yaml") })
            Assert.Equal(["--context", Context], command.Arguments.Take(2));
        Assert.Equal(["--context", Context, "wait", "--for=condition=Ready", "nodes", "--all", "--timeout=300s"], kubectl.WaitForNodesReadyCommand(TimeSpan.FromMinutes(5)).Arguments);
    }

    [Fact]
    public void Gateway_crds_are_applied_server_side_and_count_as_a_change()
    {
        var command = new Kubectl(Runner, Context).ServerSideApplyCommand("https://example/experimental-install.yaml");
        Assert.Equal(["--context", Context, "apply", "--server-side", "--force-conflicts", "-f", "https://example/experimental-install.yaml"], command.Arguments);
        Assert.True(command.Mutating);
        Assert.False(new Kubectl(Runner, Context).WaitForNodesReadyCommand(TimeSpan.FromMinutes(5)).Mutating);
    }

    [Fact]
    public void Helm_always_names_the_platform_context() =>
        Assert.Equal(["--kube-context", Context, "version", "--short"], new Helm(Runner, Context).VersionCommand().Arguments);

    // Helm 4 lists every status by default and refuses --all (helm/helm#31295); Helm 3 hides pending releases without it.
    // The pin and the oldest Helm tools.yaml accepts, and the real helm 4 the RealTools tests run.
    public static TheoryData<string, string[]> HelmMajors => new()
    {
        { PinnedTools.Pins.Helm.Version.ToString(), ["--kube-context", Context, "list", "--all-namespaces", "--output", "json"] },
        { "v4.1.4", ["--kube-context", Context, "list", "--all-namespaces", "--output", "json"] },
        { PinnedTools.Pins.Helm.Minimum!.ToString(), ["--kube-context", Context, "list", "--all-namespaces", "--all", "--output", "json"] },
    };

    [Theory]
    [MemberData(nameof(HelmMajors))]
    public void Helm_lists_every_status_in_the_form_its_major_documents(string helmVersion, string[] expected) =>
        Assert.Equal(expected, Helm.ListReleasesCommand(Context, ToolVersion.Parse(helmVersion)).Arguments);

    [Fact]
    public async Task Helm_asks_for_its_version_once_and_lists_in_that_major_s_form()
    {
        var runner = new RecordingRunner().Answer(0, $"{PinnedTools.Pins.Helm.Minimum}+gcc58e3f\n").Answer(0, "[]").Answer(0, "[]");
        var helm = new Helm(runner, Context);

        await helm.ListReleasesAsync(CancellationToken.None);
        await helm.ListReleasesAsync(CancellationToken.None);

        Assert.Single(runner.Commands, c => c.Arguments.Contains("version"));
        Assert.All(runner.Commands.Where(c => c.Arguments.Contains("list")), c => Assert.Contains("--all", c.Arguments));
    }

    [Fact]
    public async Task A_helm_that_prints_no_version_is_named_with_what_it_printed()
    {
        var runner = new RecordingRunner().Answer(0, "<html>proxy login</html>\n");
        var failure = await Assert.ThrowsAsync<BuildFailure>(() => new Helm(runner, Context).ListReleasesAsync(CancellationToken.None));
        Assert.Contains("helm --kube-context kind-data-platform version --short", failure.Message);
        Assert.Contains("<html>proxy login</html>", failure.Message);
    }

    [Fact]
    public void Every_helmfile_call_turns_its_upgrade_notice_off()
    {
        var helmfile = new Helmfile(Runner, Context, new HelmfileSpec("/repo/helmfile.yaml", Context, []));
        var env = new Dictionary<string, string> { ["MINIO_SECRET_KEY"] = "adminpassword" };
        var version = DataPlatform.Build.Toolchain.ToolInstaller.VersionCommand("helmfile", "/x/helmfile", Context);
        foreach (var command in new[] { helmfile.ApplyCommand(env), helmfile.TemplateCommand(env), helmfile.SyncCommand(env, []), version })
            Assert.Equal("1", command.Environment[Helmfile.UpgradeNoticeVariable]);
    }

    [Fact]
    public void Helmfile_apply_is_pinned_and_its_secrets_travel_in_the_environment_only()
    {
        var env = new Dictionary<string, string> { ["MINIO_SECRET_KEY"] = "adminpassword" };
        var command = new Helmfile(Runner, Context, new HelmfileSpec("/repo/helmfile.yaml", Context, [])).ApplyCommand(env);
        Assert.Equal(["--file", "/repo/helmfile.yaml", "--kube-context", Context, "apply", "--suppress-secrets", "--skip-diff-on-install", "--sync-release-labels"], command.Arguments);
        Assert.Equal("adminpassword", command.Environment["MINIO_SECRET_KEY"]);
        Assert.DoesNotContain(command.Arguments, a => a.Contains("adminpassword"));
        Assert.True(command.Mutating && command.Streamed);
        Assert.Equal("/repo", command.WorkingDirectory);
    }

    [Fact]
    public void Kind_names_the_cluster_on_every_call_and_only_create_and_delete_mutate()
    {
        // --name although the config names the cluster: kind prefers KIND_CLUSTER_NAME to the config's name.
        Assert.Equal(["create", "cluster", "--name", "data-platform", "--config", "/repo/kind-config.yaml", "--wait", "300s"],
            Kind.CreateClusterCommand("/repo/kind-config.yaml", "data-platform").Arguments);
        Assert.Equal(["delete", "cluster", "--name", "data-platform"], Kind.DeleteClusterCommand("data-platform").Arguments);
        Assert.Equal(["export", "kubeconfig", "--name", "data-platform"], Kind.ExportKubeconfigCommand("data-platform").Arguments);
        Assert.True(Kind.CreateClusterCommand("c", "n").Mutating && Kind.DeleteClusterCommand("n").Mutating);
        Assert.False(Kind.GetClustersCommand().Mutating);
    }

    [Fact]
    public void Docker_is_only_queried()
    {
        Assert.Equal(["info", "--format", "{{json .}}"], Docker.InfoCommand().Arguments);
        Assert.Equal(["inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", "c-control-plane"],
            Docker.ContainerAddressesCommand("c-control-plane").Arguments);
        Assert.Equal(["network", "inspect", "kind", "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}"], Docker.NetworkSubnetsCommand("kind").Arguments);
        Assert.False(Docker.InfoCommand().Mutating || Docker.ContainerAddressesCommand("c").Mutating || Docker.NetworkSubnetsCommand("kind").Mutating);
    }

    [Fact]
    public void Displayed_commands_can_be_pasted_into_a_shell() =>
        Assert.Equal("docker network inspect kind --format '{{range .IPAM.Config}}{{.Subnet}} {{end}}'", Docker.NetworkSubnetsCommand("kind").Display);
}
