using DataPlatform.Build.Tests.Platform;
using DataPlatform.Build.Verify;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>Which bucket the S3 probe writes to: read from MinIO's values (a helmfile template) for the probe's login.</summary>
public sealed class MinioBucketsTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("minio-buckets-").FullName;

    static readonly Dictionary<string, string> Env = new()
    {
        ["MINIO_ACCESS_KEY"] = "adminuser", ["MINIO_SECRET_KEY"] = "adminpassword",
        ["AIRBYTE_S3_ACCESS_KEY"] = "airbyte", ["AIRBYTE_S3_SECRET_KEY"] = "airbytepassword",
        ["REGISTRY_S3_ACCESS_KEY"] = "registry-s3", ["REGISTRY_S3_SECRET_KEY"] = "registrypassword",
        ["GLOBAL_DOMAIN"] = "data-platform.internal",
    };

    [Fact]
    public void The_root_user_writes_to_the_first_bucket_the_repository_s_values_declare()
    {
        var choice = MinioBuckets.Choose(RepoRoot.File("helmfile.yaml"), "adminuser", Env.GetValueOrDefault);

        Assert.Equal(DeclaredNames.MinioBuckets()[0], choice.Name);
        Assert.Contains("root user", choice.Explanation);
    }

    [Fact]
    public void Another_user_writes_to_the_bucket_its_policy_names()
    {
        var helmfile = Write("""
            rootUser: {{ requiredEnv "MINIO_ACCESS_KEY" | quote }}
            buckets:
              - name: landing
              - name: curated
            policies:
              - name: curated-rw
                statements:
                  - resources: ["arn:aws:s3:::curated", "arn:aws:s3:::curated/*"]
                    actions: ["s3:*"]
            users:
              - accessKey: {{ requiredEnv "AIRBYTE_S3_ACCESS_KEY" | quote }}
                secretKey: {{ requiredEnv "AIRBYTE_S3_SECRET_KEY" | quote }}
                policy: curated-rw
            """);

        Assert.Equal("curated", MinioBuckets.Choose(helmfile, "airbyte", Env.GetValueOrDefault).Name);
    }

    [Fact]
    public void A_login_MinIO_will_not_know_gets_no_bucket_and_says_why()
    {
        var helmfile = Write("""
            rootUser: {{ requiredEnv "MINIO_ACCESS_KEY" | quote }}
            buckets:
              - name: landing
            """);

        var choice = MinioBuckets.Choose(helmfile, "someone-else", Env.GetValueOrDefault);

        Assert.Null(choice.Name);
        Assert.Contains("MINIO_ACCESS_KEY is neither `rootUser` nor a user's `accessKey` in values/minio.yaml.gotmpl", choice.Explanation);
    }

    [Fact]
    public void Values_without_buckets_give_no_bucket_and_say_so()
    {
        var helmfile = Write("rootUser: {{ requiredEnv \"MINIO_ACCESS_KEY\" | quote }}\n");

        var choice = MinioBuckets.Choose(helmfile, "adminuser", Env.GetValueOrDefault);

        Assert.Null(choice.Name);
        Assert.Contains("declares `buckets:`", choice.Explanation);
    }

    string Write(string minioValues)
    {
        Directory.CreateDirectory(Path.Combine(_root, "values"));
        File.WriteAllText(Path.Combine(_root, "values", "minio.yaml.gotmpl"), minioValues);
        File.WriteAllText(Path.Combine(_root, "values", "other.yaml"), "replicas: 1\n");
        var helmfile = Path.Combine(_root, "helmfile.yaml");
        File.WriteAllText(helmfile, """
            releases:
              - name: other
                namespace: other
                chart: x/other
                values: [values/other.yaml, {inline: true}]
              - name: minio
                namespace: minio
                chart: x/minio
                values: [values/minio.yaml.gotmpl]
            """);
        return helmfile;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
