using DataPlatform.Build.Host;
using DataPlatform.Build.Tests.Images;
using DataPlatform.Build.Tests.Verify;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The image check before the first helmfile apply, through the real ./build.sh: the helmfile stand-in renders the
/// images the values files set (as `helmfile template` would), and they live in Debian's docker-registry on 127.0.0.1,
/// a registry Docker, and the build, reach over plain HTTP. One image is pushed there, the other tag is not.
/// </summary>
public sealed class ImageCheckTests(CompiledBuildRoot build, OpenRegistryServer registry) : IClassFixture<CompiledBuildRoot>, IClassFixture<OpenRegistryServer>
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
        machine.Variables[AccessDecision.Variable] = "direct";   // no access proxy, so every image asked about is in the local registry
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

    /// <summary>No cluster yet: CheckImages runs before the image cache starts and before kind create cluster.</summary>
    async Task<(CaseRoot Root, Scenario Machine)> NewMachineWithImagesAsync(string minioTag, Func<string, string>? nodeImage = null)
    {
        var local = $"127.0.0.1:{registry.Port}";
        await TinyImage.PushAsync(new Uri($"http://{local}"), "minio/minio", "present");
        var root = await CaseRoot.CopyAsync(build);
        root.Edit("values/minio.yaml.gotmpl", text => text + $"""

            image:
              repository: {local}/minio/minio
              tag: {minioTag}
            """);
        if (nodeImage is not null)
            root.Edit("kind-config.yaml", text => System.Text.RegularExpressions.Regex.Replace(text, @"image: kindest/node:\S+", "image: " + nodeImage(local)));
        var machine = new Scenario(build) { BuildRoot = root.Path };
        machine.Variables[AccessDecision.Variable] = "direct";
        return (root, machine);
    }

    [Fact]
    public async Task A_cold_Up_with_a_missing_image_fails_before_the_image_cache_and_kind_create_cluster_with_no_mutating_call()
    {
        var (root, machine) = await NewMachineWithImagesAsync("RELEASE.2099-01-01");
        using var _ = root;
        using var __ = machine;
        machine.ImageCache = "on";   // the mirrors would be the first change: they must not start either

        var run = await machine.RunBuildAsync("--target=Up");

        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.Empty(run.Named("kind create cluster"));
        Assert.Empty(machine.Clusters);
        var template = Assert.Single(run.Named("helmfile template"));
        Assert.Equal(FixturePlatform.Context, template.Context);   // named, though no such context exists yet: helm template renders offline
        Assert.Contains($"release minio/minio: image 127.0.0.1:{registry.Port}/minio/minio:RELEASE.2099-01-01", run.Text);
        Assert.Contains("change values/minio.yaml.gotmpl: image.tag", run.Text);
        Assert.Contains("the build stops before anything pulls them", run.Text);
        Assert.False(run.HasStackTrace, run.ToString());
        Assert.Empty(run.Violations);
    }

    [Fact]
    public async Task A_cold_Up_whose_kind_node_image_digest_does_not_exist_fails_naming_kind_config_and_its_line()
    {
        const string wrong = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
        var (root, machine) = await NewMachineWithImagesAsync("present", local => $"{local}/kindest/node:v1.36.4@{wrong}");
        using var _ = root;
        using var __ = machine;

        var run = await machine.RunBuildAsync("--target=Up");

        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.Empty(run.Named("kind create cluster"));
        var line = File.ReadAllLines(Path.Combine(root.Path, "kind-config.yaml")).ToList().FindIndex(l => l.Contains(wrong)) + 1;
        // Squashed: the console wraps the 64-digit digest mid-word.
        Assert.Contains($"thekindnodeimage(kind-config.yamlline{line}):image127.0.0.1:{registry.Port}/kindest/node:v1.36.4@{wrong}", run.Squashed);
        Assert.Contains($"nodigest{wrong}inkindest/node", run.Squashed);
        Assert.Contains("release notes of the kind version in tools.yaml", run.Text);
        Assert.False(run.HasStackTrace, run.ToString());
    }

    [Fact]
    public async Task A_cold_run_checks_once_before_kind_create_cluster_and_HelmfileApply_does_not_ask_again()
    {
        var digest = await TinyImage.PushAsync(new Uri($"http://127.0.0.1:{registry.Port}"), "kindest/node", "v1.36.4");
        var (root, machine) = await NewMachineWithImagesAsync("present", local => $"{local}/kindest/node:v1.36.4@{digest}");
        using var _ = root;
        using var __ = machine;

        var run = await machine.RunBuildAsync(MutatingChain);

        Assert.True(run.ExitCode == 0, run.ToString());
        var signatures = run.Signatures.ToList();
        Assert.Single(run.Named("helmfile template"));
        Assert.True(signatures.IndexOf("helmfile template") < signatures.IndexOf("kind create cluster"), string.Join(", ", signatures));
        Assert.Contains("image check: 2 of 2 images found in their registries", run.Text);
        Assert.Single(run.Named("helmfile apply"));
    }

    [Fact]
    public async Task CheckImages_alone_checks_an_existing_platform_and_changes_nothing()
    {
        var (root, machine) = await ExistingPlatformWithImagesAsync("RELEASE.2099-01-01");
        using var _ = root;
        using var __ = machine;

        var run = await machine.RunBuildAsync("--target=CheckImages");

        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.Named("helmfile template"));
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.Contains("change values/minio.yaml.gotmpl: image.tag", run.Text);
    }

    [Fact]
    public async Task A_cold_plan_checks_the_images_for_real_since_the_check_only_reads()
    {
        var (root, machine) = await NewMachineWithImagesAsync("RELEASE.2099-01-01");
        using var _ = root;
        using var __ = machine;

        var run = await machine.RunBuildAsync("--target=Up", "--plan");

        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.Named("helmfile template"));
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
        Assert.Contains("no tag RELEASE.2099-01-01 in minio/minio", run.Text);
    }
}
