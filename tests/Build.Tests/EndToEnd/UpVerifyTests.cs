using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Verify;
using k8s.Models;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The whole ./build.sh --target=Up, Verify included: the stand-in kind points the platform's context at a fake
/// Kubernetes API (a stand-in for the kind cluster's API server, served by this test on 127.0.0.1), and the user's
/// current context at a second fake API that must never be asked anything.
/// </summary>
public sealed class UpVerifyTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>
{
    const string BadImage = "quay.io/minio/minio:RELEASE.2099-01-01";

    [Fact]
    public async Task Up_verifies_after_helmfile_apply_and_fails_naming_the_image_that_does_not_pull()
    {
        await using var api = await FakeKubeApi.StartAsync();
        await using var decoy = await FakeKubeApi.StartAsync();
        using var machine = new Scenario(build, decoyServer: decoy.Url) { ApiServer = api.Url };
        var cluster = BrokenMinio();
        cluster.ServeFrom(api);
        // Verify's first read of the cluster records whether helmfile apply had already finished (the helmfile
        // stand-in writes `releases` when an apply succeeds): Up must deploy before it verifies.
        bool? appliedBeforeFirstRead = null;
        var deployments = api.Responses["/apis/apps/v1/deployments"];
        api.Responses["/apis/apps/v1/deployments"] = () =>
        {
            appliedBeforeFirstRead ??= machine.ReadState("releases") is not null;
            return deployments();
        };

        // --timeout=1: one or two rounds of checks, then the verdict (nothing here will ever become ready).
        var run = await machine.RunBuildAsync("--target=Up", "--timeout=1");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Single(run.Named("helmfile apply"));
        // Release status comes from helm itself (it reads whichever HELM_DRIVER holds the releases), pinned to the platform;
        // the pinned Helm 4 lists every status without --all, which it refuses.
        Assert.Contains(run.Named("helm list"), c => c.Context == FixturePlatform.Context && c.Argv.Contains("--all-namespaces") && !c.Argv.Contains("--all"));
        Assert.DoesNotContain(api.RequestPaths, r => r.StartsWith("/api/v1/secrets"));
        Assert.True(appliedBeforeFirstRead, $"Verify read the cluster before helmfile apply finished (or never):\n{run}");
        Assert.Contains(api.RequestPaths, r => r.StartsWith("/apis/apps/v1/deployments"));
        // Squashed: the console wraps long lines anywhere, even inside an image name.
        Assert.Contains("deploymentminio/minio:0/1ready", run.Squashed);
        Assert.Contains($"podminio-7d9f-abcde:ImagePullBackOffforimage{BadImage}", run.Squashed);
        Assert.Contains($"failingoncontext{FixturePlatform.Context}", run.Squashed);
        Assert.False(run.HasStackTrace, run.ToString());
        Assert.DoesNotContain(" PrintHosts ", run.Text);       // Up stops at the failed Verify: no hosts line for a broken platform
        Assert.Empty(decoy.RequestPaths);
        Assert.Empty(run.Violations);
        // Verify had the probe credentials from .env; a failure report must not print them.
        Assert.All(FixturePlatform.SecretValues, secret => Assert.DoesNotContain(secret, run.Squashed));
    }

    /// <summary>
    /// The fixture platform (FixturePlatform's releases) as its API server would describe it: everything deployed,
    /// MinIO's only pod stuck pulling an image that does not exist, and Traefik's LoadBalancer without an address yet
    /// (so Verify's HTTPS/S3/registry probes fail at once instead of dialling 172.18.x addresses that do not exist here).
    /// </summary>
    static ClusterScenario BrokenMinio()
    {
        var cluster = new ClusterScenario();
        cluster.Deployments[2] = ClusterScenario.Deployment("minio", "minio", 1, 0);
        cluster.Pods.Add(ClusterScenario.Pod("minio", "minio-7d9f-abcde", "minio", new V1ContainerStatus
        {
            Name = "minio", Image = BadImage, ImageID = "", Ready = false, RestartCount = 0,
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ImagePullBackOff", Message = $"Back-off pulling image \"{BadImage}\"" } },
        }));
        cluster.Services[0] = ClusterScenario.LoadBalancer("traefik", "traefik", null, new() { ["app.kubernetes.io/name"] = "traefik" }, 443);
        return cluster;
    }
}
