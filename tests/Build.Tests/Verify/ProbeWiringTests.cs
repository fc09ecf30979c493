using System.Net;
using System.Text;
using System.Text.Json;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Tests.Platform;
using DataPlatform.Build.Verify;
using k8s.Models;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>
/// Verify with its probes switched on: the logins come from .env (ProbeCredentials) and from the cluster (the
/// CloudNativePG application secret, served by the fake API), and reach real servers. s3rver stands in for MinIO
/// behind Traefik (TLS with the platform CA from the trust bundle), a real PostgreSQL loaded with the sample SQL
/// stands in for pg-source's LoadBalancer.
/// </summary>
public sealed class ProbeWiringTests(PasswordSampleDatabase pg, S3rverServer s3) : IClassFixture<PasswordSampleDatabase>, IClassFixture<S3rverServer>
{
    const string AppSecretPath = "/api/v1/namespaces/postgresql/secrets/pg-source-app";

    [Fact]
    public async Task The_env_logins_and_the_CNPG_app_secret_reach_the_probes()
    {
        await using var f = await StartAsync(appPassword: PasswordSampleDatabase.Password);

        var checks = await RunOneRoundAsync(f, new ProbeCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey, "registry", "registrypassword"));

        var postgres = checks["postgresql postgresql/pg-source"];
        Assert.True(postgres.Passed, postgres.Detail);
        Assert.All(DeclaredNames.SampleTables(), table => Assert.Contains($"{table} ", postgres.Detail));
        var s3Check = checks[$"s3 {S3rverServer.Host}"];
        Assert.True(s3Check.Passed, s3Check.Detail);
        Assert.Equal($"put/get/delete in {S3rverServer.Bucket}", s3Check.Detail);
        Assert.True(checks["https minio-console.data-platform.internal"].Passed, checks["https minio-console.data-platform.internal"].Detail);
        // The secret was read from the platform's API server only.
        Assert.Contains(AppSecretPath, f.Api.RequestPaths);
        Assert.Empty(f.Decoy.RequestPaths);
    }

    [Fact]
    public async Task Load_balancers_that_give_a_host_name_instead_of_an_IP_are_dialled_by_that_name()
    {
        await using var f = await StartAsync(appPassword: PasswordSampleDatabase.Password);
        // A managed cloud cluster (EKS): Traefik's and pg-source's LoadBalancers have a host name and no IP, and the
        // Ingresses' status names the same host. Here the name is localhost, so only loopback is dialled.
        foreach (var service in f.Scenario.Services.Where(s => s.Spec?.Type == "LoadBalancer"))
            service.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Hostname = "localhost" }] } };
        foreach (var ingress in f.Scenario.Ingresses)
            ingress.Status = new V1IngressStatus { LoadBalancer = new V1IngressLoadBalancerStatus { Ingress = [new V1IngressLoadBalancerIngress { Hostname = "localhost" }] } };
        f.Scenario.ServeFrom(f.Api);
        var dialled = new System.Collections.Concurrent.ConcurrentBag<string>();

        // The build's own routing (LoadBalancer.EndPoint), with the well-known ports moved to the test servers'.
        var checks = await RunOneRoundAsync(f, new ProbeCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey, "registry", "registrypassword"),
            (address, port) => { dialled.Add(address); return LoadBalancer.EndPoint(address, port == 5432 ? pg.Port : s3.Port); });

        Assert.All(dialled, address => Assert.Equal("localhost", address));
        Assert.True(checks["postgresql postgresql/pg-source"].Passed, checks["postgresql postgresql/pg-source"].Detail);
        Assert.True(checks[$"s3 {S3rverServer.Host}"].Passed, checks[$"s3 {S3rverServer.Host}"].Detail);
        Assert.True(checks["https minio-console.data-platform.internal"].Passed, checks["https minio-console.data-platform.internal"].Detail);
    }

    [Fact]
    public async Task A_stale_app_secret_and_a_stale_env_login_fail_their_probes_without_printing_secrets()
    {
        await using var f = await StartAsync(appPassword: "stale-app-password");

        var checks = await RunOneRoundAsync(f, new ProbeCredentials("stale-access-key", "stale-secret-key", "registry", "registrypassword"));

        Assert.Contains("password authentication failed", checks["postgresql postgresql/pg-source"].Detail);
        Assert.False(checks[$"s3 {S3rverServer.Host}"].Passed);
        Assert.Contains("MINIO_ACCESS_KEY/MINIO_SECRET_KEY", checks[$"s3 {S3rverServer.Host}"].Detail);
        var everything = f.Output + string.Join('\n', checks.Values.Select(c => c.Detail));
        Assert.DoesNotContain("stale-app-password", everything);
        Assert.DoesNotContain("stale-secret-key", everything);
    }

    [Fact]
    public async Task A_missing_app_secret_fails_the_postgres_probe_naming_the_secret()
    {
        await using var f = await StartAsync(appPassword: null);

        var checks = await RunOneRoundAsync(f, new ProbeCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey, "registry", "registrypassword"));

        Assert.Contains("secret postgresql/pg-source-app (CloudNativePG's application login) does not exist yet", checks["postgresql postgresql/pg-source"].Detail);
    }

    async Task<VerifyFixture> StartAsync(string? appPassword)
    {
        var f = await VerifyFixture.StartAsync();
        f.Scenario.BundlePem = s3.Ca.ExportCertificatePem();
        if (appPassword is not null)
            f.Api.Set(AppSecretPath, new V1Secret
            {
                Metadata = ClusterScenario.Meta("postgresql", "pg-source-app"),
                Data = new Dictionary<string, byte[]>
                {
                    ["username"] = Encoding.UTF8.GetBytes("postgres"),
                    ["password"] = Encoding.UTF8.GetBytes(appPassword),
                    ["dbname"] = Encoding.UTF8.GetBytes(SampleDatabase.DatabaseName),
                },
            });
        return f;
    }

    /// <summary>One round (timeout zero), read back from the JSON report: it lists the passing checks too.</summary>
    async Task<IReadOnlyDictionary<string, CheckResult>> RunOneRoundAsync(VerifyFixture f, ProbeCredentials credentials, Func<string, int, EndPoint>? route = null)
    {
        var report = Path.Combine(f.Root, "verify.json");
        var settings = f.Settings(TimeSpan.Zero, report) with
        {
            Credentials = credentials,
            S3Bucket = new ProbeBucket(S3rverServer.Bucket, "the bucket s3rver was started with"),
            // Traefik's LoadBalancer is s3rver (TLS), pg-source's is the local PostgreSQL.
            Route = route ?? ((ip, port) => new IPEndPoint(IPAddress.Loopback, ip == ClusterScenario.PgIp ? pg.Port : s3.Port)),
        };
        // The fixture's platform has no registry route, so Verify fails; the report still holds every check.
        await Assert.ThrowsAsync<BuildFailure>(() => f.VerifyAsync(settings));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        return json.RootElement.GetProperty("checks").EnumerateArray()
            .Select(c => new CheckResult(c.GetProperty("category").GetString()!, c.GetProperty("name").GetString()!, c.GetProperty("passed").GetBoolean(), c.GetProperty("detail").GetString()!))
            .ToDictionary(c => c.Name);
    }
}
