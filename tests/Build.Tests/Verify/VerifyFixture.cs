using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Verify;
using Spectre.Console;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>
/// A fixture repo root (kind-config.yaml, helmfile.yaml), the fake API server holding the platform, a decoy API
/// server that the kubeconfig's current-context points to, and a console that records what Verify prints.
/// </summary>
public sealed class VerifyFixture : IAsyncDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("verify-").FullName;
    public FakeKubeApi Api { get; private set; } = null!;
    public FakeKubeApi Decoy { get; private set; } = null!;
    public ClusterScenario Scenario { get; } = new();
    public StringWriter Output { get; } = new();
    public IAnsiConsole Console { get; }
    public string KubeconfigPath { get; private set; } = null!;
    internal KindConfig Kind { get; private set; } = null!;
    internal HelmfileSpec Helmfile { get; private set; } = null!;
    internal ScenarioHelm Helm { get; private set; } = null!;

    VerifyFixture() => Console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(Output),
    });

    public static async Task<VerifyFixture> StartAsync(string? platformServer = null)
    {
        var fixture = new VerifyFixture();
        fixture.Api = await FakeKubeApi.StartAsync();
        fixture.Decoy = await FakeKubeApi.StartAsync();
        fixture.Scenario.ServeFrom(fixture.Api);
        File.WriteAllText(Path.Combine(fixture.Root, "kind-config.yaml"), """
            kind: Cluster
            apiVersion: kind.x-k8s.io/v1alpha4
            name: data-platform
            nodes:
              - role: control-plane
            """);
        File.WriteAllText(Path.Combine(fixture.Root, "helmfile.yaml"), """
            repositories:
              - { name: jetstack, url: https://charts.jetstack.io }
              - { name: traefik, url: https://traefik.github.io/charts }
              - { name: minio, url: https://charts.min.io/ }
            helmDefaults:
              kubeContext: kind-data-platform
            commonLabels:
              app.kubernetes.io/managed-by: data-platform-build
            releases:
              - name: cert-manager
                namespace: cert-manager
                chart: jetstack/cert-manager
              - name: traefik
                namespace: traefik
                chart: traefik/traefik
              - name: minio
                namespace: minio
                chart: minio/minio
            """);
        fixture.Kind = KindConfig.Load(Path.Combine(fixture.Root, "kind-config.yaml"));
        fixture.Helmfile = HelmfileSpec.Load(Path.Combine(fixture.Root, "helmfile.yaml"));
        fixture.Helm = new ScenarioHelm(fixture.Scenario, fixture.Kind.ContextName);
        fixture.KubeconfigPath = Kubeconfig.Write(fixture.Root, platformServer ?? fixture.Api.Url, fixture.Decoy.Url, fixture.Kind.ContextName);
        return fixture;
    }

    internal PlatformCluster Cluster => PlatformCluster.Connect(Kind.ContextName, KubeconfigPath);

    /// <summary>What VerifyTask builds from the context, minus the probes (tested on their own against real servers).</summary>
    internal VerifySettings Settings(TimeSpan? timeout = null, string? report = null) => new()
    {
        Namespaces = Helmfile.Namespaces.Union(VerifySettings.ClusterNamespaces).ToList(),
        Releases = Helmfile.Releases,
        MetalLbRange = ClusterScenario.Range,
        Timeout = timeout ?? TimeSpan.FromMinutes(5),
        PollInterval = TimeSpan.FromMilliseconds(20),
        ReportPath = report,
    };

    internal Task<IReadOnlyList<CheckResult>> VerifyAsync(VerifySettings settings, CancellationToken ct = default) =>
        new Verifier(Cluster, Helm.Helm, settings, Console).RunAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Decoy.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
