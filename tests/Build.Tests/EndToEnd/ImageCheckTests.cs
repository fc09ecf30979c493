using DataPlatform.Build.Tests.EndToEnd.BadInput;
using DataPlatform.Build.Tests.Images;
using DataPlatform.Build.Tests.Verification;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The image check before the first helmfile apply, through the real ./build.sh: the helmfile stand-in renders the
/// images the values files set (as `helmfile template` would), and they live in Debian's docker-registry on 127.0.0.1,
/// a registry Docker, and the build, reach over plain HTTP. One image is pushed there, the other tag is not.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ImageCheckTests(CompiledBuildRoot build, OpenRegistryServer registry) : IClassFixture<OpenRegistryServer>
{
    const string MutatingChain = "--target=HelmfileApply";

    async Task<(CaseRoot Root, Scenario Machine)> ExistingPlatformWithImagesAsync(string minioTag)
    {
        var local = new Uri($"http://127.0.0.1:{registry.Port}");
        await TinyImage.PushAsync(local, "minio/minio", "present");
        var root = await CaseRoot.CopyAsync(build);
        root.Edit("values/minio.yaml.gotmpl", text => text + $"""

            image:
              repository: 127.0.0.1:{registry.Port}/minio/minio
              tag: {minioTag}
            """);
        var machine = new Scenario(build) { BuildRoot = root.Path };
        await machine.GivenPlatformClusterAsync();
        machine.SetState("crd_version", FixturePlatform.GatewayApiVersion);
        machine.SetState("crd_channel", "experimental");
        return (root, machine);
    }

    [Fact]
    public async Task A_missing_image_fails_before_any_mutating_call_naming_release_image_and_values_key()
    {
        var (root, machine) = await ExistingPlatformWithImagesAsync("RELEASE.2099-01-01");
        using var _ = root;
        using var __ = machine;

        var run = await machine.RunBuildAsync(MutatingChain);

        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        var template = Assert.Single(run.Named("helmfile template"));
        Assert.Equal(FixturePlatform.Context, template.Context);
        Assert.Contains($"release minio/minio: image 127.0.0.1:{registry.Port}/minio/minio:RELEASE.2099-01-01", run.Text);
        Assert.Contains("no tag RELEASE.2099-01-01 in minio/minio", run.Text);
        Assert.Contains("change values/minio.yaml.gotmpl: image.tag", run.Text);
        Assert.Contains("--skip-image-check", run.Text);
        Assert.False(run.HasStackTrace, run.ToString());
    }

    [Fact]
    public async Task Images_that_exist_let_the_apply_run_and_skip_image_check_asks_no_registry()
    {
        var (root, machine) = await ExistingPlatformWithImagesAsync("present");
        using var _ = root;
        using var __ = machine;

        var run = await machine.RunBuildAsync(MutatingChain);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("image check: 1 of 1 images found in their registries", run.Text);
        Assert.Single(run.Named("helmfile apply"));

        root.Edit("values/minio.yaml.gotmpl", text => text.Replace("tag: present", "tag: absent-but-not-asked"));
        var skipped = await machine.RunBuildAsync(MutatingChain, "--skip-image-check");
        Assert.True(skipped.ExitCode == 0, skipped.ToString());
        Assert.Empty(skipped.Named("helmfile template"));
        Assert.Single(skipped.Named("helmfile apply"));
    }
}
