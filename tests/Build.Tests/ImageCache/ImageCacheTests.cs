using DataPlatform.Build.ImageCache;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Platform;
using DataPlatform.Build.Validation;

namespace DataPlatform.Build.Tests.ImageCache;

/// <summary>The image cache's mirror list read from kind-config.yaml, the IMAGE_CACHE switch, and the pure decisions over docker's answers.</summary>
public sealed class ImageCacheTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("image-cache-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string KindConfig(string patchLines)
    {
        var path = Path.Combine(_dir, "kind-config.yaml");
        File.WriteAllText(path, "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: data-platform\ncontainerdConfigPatches:\n  - |-\n" +
            string.Join("", patchLines.Split('\n').Select(l => "    " + l + "\n")));
        return path;
    }

    [Fact]
    public void The_repositorys_kind_config_names_one_mirror_per_registry_and_each_line_number_points_at_its_line()
    {
        var path = Path.Combine(RepoRoot.Path, "kind-config.yaml");
        var mirrors = RegistryMirrors.Load(path);
        var lines = File.ReadAllLines(path);

        Assert.NotEmpty(mirrors);
        Assert.Equal(mirrors.Count, mirrors.Select(m => m.Registry).Distinct().Count());
        Assert.Equal(mirrors.Count, mirrors.Select(m => m.Container).Distinct().Count());
        Assert.All(mirrors, m =>
        {
            Assert.Matches($@"^\s*# mirror {System.Text.RegularExpressions.Regex.Escape(m.Registry)} = {m.Container} ", lines[m.Line - 1]);
            Assert.Equal("https", m.Upstream.Scheme);
            Assert.Contains($"[host.\"http://{m.Container}:5000\"]", m.HostsToml);
            Assert.StartsWith($"/etc/containerd/certs.d/{m.Registry}/", m.HostsTomlPath);
        });
    }

    [Fact]
    public void Every_mirror_line_becomes_a_mirror_and_the_other_patch_lines_are_left_to_containerd()
    {
        var path = KindConfig("""
            [plugins."io.containerd.grpc.v1.cri".registry]
              config_path = "/etc/containerd/certs.d"
            # mirror docker.io = cache-docker-io https://registry-1.docker.io
            #   mirror   ghcr.io=cache-ghcr-io   https://ghcr.io
            # mirrors are great: this comment is not a mirror line
            """);

        var mirrors = RegistryMirrors.Load(path);

        Assert.Equal(["docker.io", "ghcr.io"], mirrors.Select(m => m.Registry));
        Assert.Equal([8, 9], mirrors.Select(m => m.Line));
        Assert.Equal(new Uri("https://registry-1.docker.io"), mirrors[0].Upstream);
    }

    [Fact]
    public void No_containerd_patches_means_no_mirrors()
    {
        var path = Path.Combine(_dir, "kind-config.yaml");
        File.WriteAllText(path, "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: data-platform\n");
        Assert.Empty(RegistryMirrors.Load(path));
    }

    [Theory]
    [InlineData("# mirror docker.io cache-docker-io https://registry-1.docker.io", "a mirror line reads")]
    [InlineData("# mirror docker.io = cache-docker-io", "a mirror line reads")]
    [InlineData("# mirror Docker.IO = cache-docker-io https://registry-1.docker.io", "'Docker.IO' is not a registry host")]
    [InlineData("# mirror docker.io = cache_docker.io https://registry-1.docker.io", "'cache_docker.io' cannot be the mirror's container name")]
    [InlineData("# mirror docker.io = cache-docker-io registry-1.docker.io", "is not the upstream registry's URL")]
    [InlineData("# mirror docker.io = cache-docker-io ftp://registry-1.docker.io", "is not the upstream registry's URL")]
    [InlineData("# mirror docker.io = cache-docker-io https://user:pw@registry-1.docker.io", "no credentials")]
    [InlineData("# mirror docker.io = cache-docker-io https://registry-1.docker.io/v2", "no path")]
    public void A_malformed_mirror_line_is_reported_with_kind_config_and_its_line(string line, string expected)
    {
        var path = KindConfig($"config_path = \"/etc/containerd/certs.d\"\n{line}");

        var error = Assert.Throws<ConfigFileException>(() => RegistryMirrors.Load(path));

        Assert.StartsWith("kind-config.yaml:7: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Two_mirrors_for_one_registry_or_one_container_for_two_registries_are_refused_with_both_lines()
    {
        var registry = KindConfig("# mirror docker.io = a https://registry-1.docker.io\n# mirror docker.io = b https://registry-1.docker.io");
        Assert.Contains("kind-config.yaml:7: registry docker.io has a mirror already on line 6", Assert.Throws<ConfigFileException>(() => RegistryMirrors.Load(registry)).Message);

        var container = KindConfig("# mirror docker.io = a https://registry-1.docker.io\n# mirror quay.io = a https://quay.io");
        Assert.Contains("kind-config.yaml:7: container a already mirrors docker.io (line 6)", Assert.Throws<ConfigFileException>(() => RegistryMirrors.Load(container)).Message);
    }

    [Fact]
    public void A_patch_that_is_not_a_string_is_reported_with_its_line()
    {
        var path = Path.Combine(_dir, "kind-config.yaml");
        File.WriteAllText(path, "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: x\ncontainerdConfigPatches:\n  - config_path: /etc\n");

        var error = Assert.Throws<ConfigFileException>(() => RegistryMirrors.Load(path));

        Assert.StartsWith("kind-config.yaml:5: ", error.Message);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("on", true)]
    [InlineData(" OFF ", false)]
    [InlineData("off", false)]
    public void IMAGE_CACHE_is_on_unless_it_says_off(string? value, bool on)
    {
        if (value is not null) File.WriteAllText(Path.Combine(_dir, ".env"), $"IMAGE_CACHE={value}\n");
        Assert.Equal(on, ImageCacheSetting.IsOn(PlatformEnvironment.Load(_dir, _ => null)));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("false")]
    [InlineData("0")]
    public void Any_other_IMAGE_CACHE_is_an_error_that_names_the_variable_and_both_values(string value)
    {
        var variables = PlatformEnvironment.Load(_dir, key => key == "IMAGE_CACHE" ? value : null);

        var error = Assert.Throws<ConfigFileException>(() => ImageCacheSetting.IsOn(variables));

        Assert.Contains($"IMAGE_CACHE is '{value}'", error.Message);
        Assert.Contains("IMAGE_CACHE=on", error.Message);
        Assert.Contains("IMAGE_CACHE=off", error.Message);
    }

    static readonly RegistryMirror Hub = new("docker.io", "cache-docker-io", new Uri("https://registry-1.docker.io"), 1);
    static readonly RegistryMirror Quay = new("quay.io", "cache-quay-io", new Uri("https://quay.io"), 2);

    static MirrorContainer Observed(RegistryMirror mirror, string state = "running", string? upstream = null, string? image = null) =>
        new(mirror.Container, state, new Dictionary<string, string>(ImageCacheService.LabelsOf(mirror))
        {
            [ImageCacheService.UpstreamLabel] = upstream ?? ImageCacheService.LabelsOf(mirror)[ImageCacheService.UpstreamLabel],
            [ImageCacheService.ImageLabel] = image ?? ImageCacheService.Image,
        }, ["kind"]);

    [Fact]
    public void Mirrors_running_as_configured_need_nothing()
    {
        Assert.Empty(ImageCacheService.Decide([Hub, Quay], [Observed(Hub), Observed(Quay)]));
    }

    [Fact]
    public void A_missing_mirror_is_created_a_stopped_one_started_and_a_foreign_labelled_one_left_alone()
    {
        var strayed = new MirrorContainer("someone-elses", "running", new Dictionary<string, string> { [ImageCacheService.Label] = "x" }, []);

        var steps = ImageCacheService.Decide([Hub, Quay], [Observed(Quay, state: "exited"), strayed]);

        Assert.Equal([new MirrorStep.Create(Hub), new MirrorStep.Start(Quay)], steps);
    }

    [Fact]
    public void A_changed_upstream_recreates_the_mirror_with_an_empty_cache_and_a_new_image_keeps_the_cache()
    {
        var upstream = Assert.IsType<MirrorStep.Replace>(Assert.Single(ImageCacheService.Decide([Hub], [Observed(Hub, upstream: "https://mirror.gcr.io")])));
        Assert.True(upstream.EmptyCache);
        Assert.Contains("https://mirror.gcr.io", upstream.Reason);

        var image = Assert.IsType<MirrorStep.Replace>(Assert.Single(ImageCacheService.Decide([Hub], [Observed(Hub, image: "registry:2")])));
        Assert.False(image.EmptyCache);
    }

    [Fact]
    public void The_mirror_is_configured_through_distributions_environment_with_the_upstream_of_kind_config()
    {
        var environment = ImageCacheService.EnvironmentOf(Hub);

        Assert.Equal("https://registry-1.docker.io", environment["REGISTRY_PROXY_REMOTEURL"]);
        Assert.Matches("^registry:3\\.0\\.0@sha256:[0-9a-f]{64}$", ImageCacheService.Image);
    }

    [Fact]
    public void Docker_ps_json_lines_are_read_into_name_state_labels_and_networks()
    {
        // One line of `docker ps --all --no-trunc --format '{{json .}}'` (Docker 28): labels and networks are comma-joined strings.
        const string line = """{"Command":"\"/entrypoint.sh /etc/distribution/config.yml\"","CreatedAt":"2026-11-25 21:00:00 +0000 UTC","ID":"4f1b","Image":"registry:3.0.0","Labels":"data-platform.image-cache=docker.io,data-platform.image-cache.upstream=https://registry-1.docker.io","LocalVolumes":"1","Mounts":"cache-docker-io","Names":"cache-docker-io","Networks":"bridge,kind","Ports":"5000/tcp","RunningFor":"2 hours ago","Size":"0B","State":"exited","Status":"Exited (2) 1 minute ago"}""";

        var container = Assert.Single(ImageCacheService.ParseContainers(line + "\n"));

        Assert.Equal("cache-docker-io", container.Name);
        Assert.False(container.Running);
        Assert.Equal("https://registry-1.docker.io", container.Labels[ImageCacheService.UpstreamLabel]);
        Assert.Equal(["bridge", "kind"], container.Networks);
    }

    [Fact]
    public void Volume_sizes_come_from_the_local_volumes_table_of_docker_system_df_verbose()
    {
        // Shaped like the docker docs' example of `docker system df -v`.
        const string output = """
            Images space usage:

            REPOSITORY          TAG                 IMAGE ID            CREATED             SIZE                SHARED SIZE         UNIQUE SIZE         CONTAINERS
            my-curl             latest              b2789dd875bf        6 minutes ago       11 MB               11 MB               5 B                 0

            Containers space usage:

            CONTAINER ID        IMAGE               COMMAND             LOCAL VOLUMES       SIZE                CREATED             STATUS              NAMES
            4a7f7eebae0f        alpine:latest       "sh"                1                   0 B                 16 minutes ago      Exited (0) 5 minutes ago   hopeful_yalow

            Local Volumes space usage:

            VOLUME NAME                                                        LINKS               SIZE
            cache-docker-io                                                    1                   2.1GB
            my-named-vol                                                       0                   0B

            Build cache usage: 0B
            """;

        var sizes = ImageCacheService.ParseVolumeSizes(output);

        Assert.Equal(new Dictionary<string, string> { ["cache-docker-io"] = "2.1GB", ["my-named-vol"] = "0B" }, sizes);
        Assert.Equal(2.1e9, ImageCacheService.ParseSize("2.1GB"), 3);
        Assert.Equal(632.1e3, ImageCacheService.ParseSize("632.1kB"), 3);
        Assert.Equal(36, ImageCacheService.ParseSize("36B"));
    }
}

/// <summary>IMAGE_CACHE as the validator sees it, before the first change, over the fixture platform's files.</summary>
public sealed class ImageCacheValidationTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("image-cache-validation-").FullName;

    public ImageCacheValidationTests() => DataPlatform.Build.Tests.EndToEnd.FixturePlatform.WriteTo(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    IReadOnlyList<string> CacheProblems() =>
        PlatformValidator.Validate(_root, _ => null).Select(p => p.ToString()).Where(p => p.Contains("IMAGE_CACHE") || p.Contains("mirror")).ToList();

    [Fact]
    public void A_misspelt_IMAGE_CACHE_in_env_local_is_named_with_its_line_instead_of_leaving_the_cache_on()
    {
        File.WriteAllText(Path.Combine(_root, ".env.local"), "# mine\nIMAGE_CAHCE=off\n");

        var problem = Assert.Single(CacheProblems());

        Assert.StartsWith(".env.local:2: IMAGE_CAHCE is not a variable the build reads: is that a typo for IMAGE_CACHE?", problem);
    }

    [Fact]
    public void A_wrong_IMAGE_CACHE_value_is_reported_at_its_line()
    {
        File.WriteAllText(Path.Combine(_root, ".env.local"), "IMAGE_CACHE=no\n");

        var problem = Assert.Single(CacheProblems());

        Assert.StartsWith(".env.local:1: IMAGE_CACHE is 'no'", problem);
    }

    [Fact]
    public void A_malformed_mirror_line_is_reported_by_the_validator_with_kind_config_and_its_line()
    {
        var path = Path.Combine(_root, "kind-config.yaml");
        File.WriteAllText(path, File.ReadAllText(path).Replace("# mirror quay.io = data-platform-cache-quay-io https://quay.io", "# mirror quay.io data-platform-cache-quay-io"));
        var line = Array.FindIndex(File.ReadAllLines(path), l => l.Contains("# mirror quay.io")) + 1;

        var problem = Assert.Single(CacheProblems());

        Assert.StartsWith($"kind-config.yaml:{line}: a mirror line reads", problem);
    }

    [Fact]
    public void The_fixture_platform_has_no_image_cache_problem()
    {
        Assert.Empty(CacheProblems());
    }
}
