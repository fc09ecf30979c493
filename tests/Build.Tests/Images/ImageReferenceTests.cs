using DataPlatform.Build.Images;
using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Tests.Images;

public sealed class ImageReferenceTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("image-values-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("nginx", "docker.io", "library/nginx", "latest")]
    [InlineData("bitnami/postgresql:17.2.0", "docker.io", "bitnami/postgresql", "17.2.0")]
    [InlineData("quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z", "quay.io", "minio/minio", "RELEASE.2025-04-22T22-12-26Z")]
    [InlineData("localhost:5000/team/app:1", "localhost:5000", "team/app", "1")]
    [InlineData("ghcr.io/cloudnative-pg/postgresql:17@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "ghcr.io", "cloudnative-pg/postgresql",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Images_are_read_as_Docker_reads_them(string image, string registry, string repository, string reference)
    {
        var parsed = ImageReference.TryParse(image, out _);

        Assert.Equal((registry, repository, reference), (parsed!.Registry, parsed.Repository, parsed.Reference));
    }

    [Theory]
    [InlineData("Quay.io/Minio/MinIO:tag")]
    [InlineData("quay.io/minio/minio:bad tag")]
    [InlineData("repo@sha256:short")]
    public void A_malformed_image_says_what_is_wrong(string image)
    {
        Assert.Null(ImageReference.TryParse(image, out var problem));
        Assert.Contains("is not a valid", problem);
    }

    [Theory]
    [InlineData("docker.io", "https://registry-1.docker.io/")]
    [InlineData("quay.io", "https://quay.io/")]
    [InlineData("127.0.0.1:5000", "http://127.0.0.1:5000/")]
    [InlineData("localhost:5000", "http://localhost:5000/")]
    public void Registries_are_asked_where_Docker_asks_them(string registry, string endpoint)
    {
        Assert.Equal(endpoint, ImageReference.DefaultEndpoint(registry).ToString());
    }

    [Fact]
    public void Rendered_images_are_found_in_every_container_list_and_attributed_to_their_release()
    {
        Release[] releases = [new("minio", "minio", []), new("registry", "registry", [])];
        const string rendered = """
            ---
            # Source: minio/templates/deployment.yaml
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: minio
              namespace: minio
              labels: { app.kubernetes.io/instance: minio }
            spec:
              template:
                spec:
                  initContainers: [ { name: init, image: "quay.io/minio/mc:latest" } ]
                  containers: [ { name: minio, image: "quay.io/minio/minio:RELEASE.2099" } ]
            ---
            apiVersion: batch/v1
            kind: Job
            metadata: { name: gc, labels: { release: registry } }
            spec: { template: { spec: { containers: [ { name: gc, image: registry:2.8.3 } ] } } }
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: not-a-pod }
            data: { image: "ignored:1" }
            ---
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata: { name: pg-source, namespace: postgresql }
            spec: { instances: 1, imageName: "ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie" }
            """;

        var images = RenderedImages.Find(rendered, [.. releases, new Release("pg-source", "postgresql", [])]);

        Assert.Equal(
            [new ReleaseImage("postgresql/pg-source", "ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie"),
             new ReleaseImage("minio/minio", "quay.io/minio/mc:latest"), new ReleaseImage("minio/minio", "quay.io/minio/minio:RELEASE.2099"), new ReleaseImage("registry/registry", "registry:2.8.3")],
            images.OrderBy(i => i.Image, StringComparer.Ordinal));
    }

    [Fact]
    public void The_values_key_that_sets_a_missing_tag_is_named_with_its_file()
    {
        Directory.CreateDirectory(Path.Combine(_root, "values"));
        File.WriteAllText(Path.Combine(_root, "values", "minio.yaml.gotmpl"), """
            rootUser: {{ requiredEnv "MINIO_ACCESS_KEY" }}
            image:
              repository: quay.io/minio/minio
              tag: RELEASE.2099-01-01
            mcImage:
              repository: quay.io/minio/mc
            """);

        var key = ValuesKeyFinder.Find(_root, ImageReference.TryParse("quay.io/minio/minio:RELEASE.2099-01-01", out _)!);

        Assert.Equal("values/minio.yaml.gotmpl: image.tag", key);
    }
}
