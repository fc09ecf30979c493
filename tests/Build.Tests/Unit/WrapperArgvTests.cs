using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.Unit;

public class WrapperArgvTests
{
    const string Context = "kind-data-platform";
    static readonly RecordingRunner Runner = new();

    [Fact]
    public void Kubectl_always_names_the_platform_context_first()
    {
        var kubectl = new Kubectl(Runner, Context);
        foreach (var command in new[] { kubectl.WaitForNodesReadyCommand(TimeSpan.FromMinutes(5)), kubectl.GetCrdCommand("x"), kubectl.ServerSideApplyCommand("f.yaml") })
            Assert.Equal(["--context", Context], command.Arguments.Take(2));
        Assert.Equal(["--context", Context, "wait", "--for=condition=Ready", "nodes", "--all", "--timeout=300s"], kubectl.WaitForNodesReadyCommand(TimeSpan.FromMinutes(5)).Arguments);
    }

    [Fact]
    public void Gateway_crds_are_applied_server_side_and_count_as_a_change()
    {
        var command = new Kubectl(Runner, Context).ServerSideApplyCommand("https://example/experimental-install.yaml");
        Assert.Equal(["--context", Context, "apply", "--server-side", "--force-conflicts", "-f", "https://example/experimental-install.yaml"], command.Arguments);
        Assert.True(command.Mutating);
        Assert.False(new Kubectl(Runner, Context).GetCrdCommand("x").Mutating);
    }

    [Fact]
    public void Helm_always_names_the_platform_context() =>
        Assert.Equal(["--kube-context", Context, "list", "--all-namespaces", "--all", "--output", "json"], new Helm(Runner, Context).ListReleasesCommand().Arguments);

    [Fact]
    public void Helmfile_apply_is_pinned_and_its_secrets_travel_in_the_environment_only()
    {
        var env = new Dictionary<string, string> { ["MINIO_SECRET_KEY"] = "adminpassword" };
        var command = new Helmfile(Runner, Context, new HelmfileSpec("/repo/helmfile.yaml", Context, [])).ApplyCommand(env);
        Assert.Equal(["--file", "/repo/helmfile.yaml", "--kube-context", Context, "apply", "--suppress-secrets", "--skip-diff-on-install"], command.Arguments);
        Assert.Equal("adminpassword", command.Environment["MINIO_SECRET_KEY"]);
        Assert.DoesNotContain(command.Arguments, a => a.Contains("adminpassword"));
        Assert.True(command.Mutating && command.Streamed);
        Assert.Equal("/repo", command.WorkingDirectory);
    }

    [Fact]
    public void Kind_takes_the_name_from_the_config_file_and_only_create_and_delete_mutate()
    {
        Assert.Equal(["create", "cluster", "--config", "/repo/kind-config.yaml", "--wait", "300s"], Kind.CreateClusterCommand("/repo/kind-config.yaml").Arguments);
        Assert.Equal(["delete", "cluster", "--name", "data-platform"], Kind.DeleteClusterCommand("data-platform").Arguments);
        Assert.Equal(["export", "kubeconfig", "--name", "data-platform"], Kind.ExportKubeconfigCommand("data-platform").Arguments);
        Assert.True(Kind.CreateClusterCommand("c").Mutating && Kind.DeleteClusterCommand("n").Mutating);
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
