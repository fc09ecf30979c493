using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DataPlatform.Build.Tests.Platform;
using DataPlatform.Build.Verify;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>
/// s3rver (an S3-speaking server from npm) stands in for MinIO behind Traefik: it serves TLS itself with a
/// certificate for the S3 host signed by a test CA, so the probe goes through the same EntryPoint (connect to one
/// endpoint, keep the hostname for SNI, trust only the platform CA) as it does against the cluster.
/// s3rver knows one login, S3RVER/S3RVER. It refuses an access key it does not know (InvalidAccessKeyId, as MinIO
/// does) but, unlike MinIO, does not check SigV4 signatures, so a wrong secret key alone cannot be tested against it.
/// </summary>
public sealed class S3rverServer : IAsyncLifetime
{
    public const string Host = "minio.data-platform.internal";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    public const string Bucket = "probe-bucket";

    ServerProcess? _server;
    readonly StringBuilder _log = new();
    string _dir = "";
    public int Port { get; private set; }
    public X509Certificate2 Ca { get; } = TestCertificates.Ca("Data-Platform Root CA");
    public string DataDirectory => Path.Combine(_dir, "data");

    public static string Binary => RepoRoot.File("tests", ".deps", "node_modules", ".bin", "s3rver");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} is missing: the S3 probe is tested against the npm package s3rver, which ./test.sh installs into tests/.deps. Run ./test.sh once.");
        _dir = Directory.CreateTempSubdirectory("verify-s3rver-").FullName;
        // Traefik serves every route with one wildcard certificate; these are the names the Verify scenario routes.
        using var leaf = TestCertificates.Leaf(Ca, Host, "minio-console.data-platform.internal", "traefik.data-platform.internal");
        await File.WriteAllTextAsync(Path.Combine(_dir, "cert.pem"), leaf.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(_dir, "key.pem"), leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        Port = LocalServers.FreePort();
        _server = LocalServers.Start(Binary, ["-d", DataDirectory, "-a", "127.0.0.1", "-p", Port.ToString(), "--silent",
            "--no-vhost-buckets", "--key", Path.Combine(_dir, "key.pem"), "--cert", Path.Combine(_dir, "cert.pem"),
            "--configure-bucket", Bucket], _log);
        await LocalServers.WaitForPortAsync(Port, _server, () => _log.ToString());
    }

    internal EntryPoint Entry(X509Certificate2? ca = null) =>
        new(new IPEndPoint(IPAddress.Loopback, Port), [X509CertificateLoader.LoadCertificate((ca ?? Ca).RawData)]);

    public Uri Url => new($"https://{Host}:{Port}");

    public Task DisposeAsync()
    {
        if (_server is not null) LocalServers.Stop(_server);
        Ca.Dispose();
        if (_dir.Length > 0) Directory.Delete(_dir, recursive: true);   // empty when s3rver was missing and nothing started
        return Task.CompletedTask;
    }
}

public sealed class S3ProbeTests(S3rverServer s3) : IClassFixture<S3rverServer>
{
    const string Name = "s3 minio.data-platform.internal";

    [Fact]
    public async Task Put_get_and_delete_pass_and_leave_nothing_behind()
    {
        var result = await Probes.S3Async(Name, s3.Entry(), s3.Url, S3rverServer.Bucket, S3rverServer.AccessKey, S3rverServer.SecretKey, CancellationToken.None);

        Assert.True(result.Passed, result.Detail);
        Assert.Equal($"put/get/delete in {S3rverServer.Bucket}", result.Detail);
        // The probe object was deleted: s3rver keeps objects as files under the bucket's folder.
        var bucketFolder = Path.Combine(s3.DataDirectory, S3rverServer.Bucket);
        Assert.True(Directory.Exists(bucketFolder), $"s3rver keeps {S3rverServer.Bucket} in {bucketFolder}");
        Assert.Empty(Directory.EnumerateFiles(bucketFolder, "*.txt*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_login_the_server_does_not_know_fails_and_names_the_env_keys()
    {
        var result = await Probes.S3Async(Name, s3.Entry(), s3.Url, S3rverServer.Bucket, "stale-access-key", "not-the-secret", CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Contains("S3 put", result.Detail);
        Assert.Contains("InvalidAccessKeyId", result.Detail);
        Assert.Contains("MINIO_ACCESS_KEY/MINIO_SECRET_KEY in .env differ from MinIO's", result.Detail);
        Assert.DoesNotContain("not-the-secret", result.Detail);
    }

    [Fact]
    public async Task A_bucket_that_does_not_exist_fails_naming_it()
    {
        var result = await Probes.S3Async(Name, s3.Entry(), s3.Url, "no-such-bucket", S3rverServer.AccessKey, S3rverServer.SecretKey, CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Contains("s3://no-such-bucket/", result.Detail);
        Assert.Contains("NoSuchBucket", result.Detail);
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_refused_before_any_secret_is_sent()
    {
        using var otherCa = TestCertificates.Ca("Some Other CA");

        var result = await Probes.S3Async(Name, s3.Entry(otherCa), s3.Url, S3rverServer.Bucket, S3rverServer.AccessKey, S3rverServer.SecretKey, CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Contains("does not chain to the platform CA", result.Detail);
    }
}
