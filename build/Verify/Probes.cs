using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Npgsql;

namespace DataPlatform.Build.Verify;

/// <summary>
/// The functional probes: each asks a real entry point a real question and turns the answer into a CheckResult.
/// Where they connect is injected (an <see cref="EntryPoint"/>, a host and port), so tests aim them at local servers.
/// </summary>
internal static class Probes
{
    /// <summary>HTTPS on the route: the certificate chains to the platform CA and a backend answers (Traefik's 404 means no route matched).</summary>
    public static async Task<CheckResult> HttpsAsync(string name, EntryPoint entry, Uri url, CancellationToken ct)
    {
        using var client = entry.CreateClient();
        try
        {
            using var response = await client.GetAsync(url, ct);
            var code = (int)response.StatusCode;
            return code >= 500 || response.StatusCode == HttpStatusCode.NotFound
                ? CheckResult.Fail(Categories.Probes, name, $"GET {url} via {entry.Where} answered {code} {response.ReasonPhrase}")
                : CheckResult.Pass(Categories.Probes, name, $"TLS trusted, {code}");
        }
        catch (HttpRequestException e) when (!ct.IsCancellationRequested)
        {
            return CheckResult.Fail(Categories.Probes, name, $"GET {url} via {entry.Where}: {entry.LastCertificateProblem ?? Innermost(e)}");
        }
    }

    /// <summary>
    /// Why registry.&lt;domain&gt; gave an answer the registry never gives, whichever request got it: a 5xx is the
    /// registry, or Traefik in front of it, failing; anything else (403, 404) comes from something else claiming the name.
    /// </summary>
    static string WhyNotTheRegistry(HttpStatusCode status) => (int)status >= 500
        ? "the registry, or Traefik in front of it, is failing (502/503/504 from Traefik: no ready registry pod behind the route; " +
          "500: the registry itself); check the registry's pod and its log, then run the same target again"
        : "another route or middleware answers for this host name; check the registry's HTTPRoute/IngressRoute and what else claims the name";

    /// <summary>The registry refuses anonymous clients (401) and accepts the configured login (200).</summary>
    public static async Task<CheckResult> RegistryAsync(string name, EntryPoint entry, Uri baseUrl, string user, string password, CancellationToken ct)
    {
        var url = new Uri(baseUrl, "/v2/");
        using var client = entry.CreateClient();
        try
        {
            using var anonymous = await client.GetAsync(url, ct);
            if (anonymous.IsSuccessStatusCode)
                return CheckResult.Fail(Categories.Probes, name, $"GET {url} without credentials answered {(int)anonymous.StatusCode}, expected 401: the registry is open to anyone");
            if (anonymous.StatusCode != HttpStatusCode.Unauthorized)
                return CheckResult.Fail(Categories.Probes, name, $"GET {url} without credentials answered {(int)anonymous.StatusCode}, expected 401 (a registry asking for its login): " +
                    WhyNotTheRegistry(anonymous.StatusCode));
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
            using var authenticated = await client.SendAsync(request, ct);
            return authenticated.StatusCode switch
            {
                HttpStatusCode.OK => CheckResult.Pass(Categories.Probes, name, "401 anonymous, 200 with REGISTRY_USER"),
                HttpStatusCode.Unauthorized => CheckResult.Fail(Categories.Probes, name, $"GET {url} as {user} answered 401, expected 200: " +
                    "REGISTRY_USER/REGISTRY_PASSWORD in .env do not match the registry's htpasswd (run ./build.sh --target=HelmfileApply)"),
                var status => CheckResult.Fail(Categories.Probes, name, $"GET {url} as {user} answered {(int)status}, expected 200: " +
                    $"the login was not refused as wrong (that is a 401), so {WhyNotTheRegistry(status)}"),
            };
        }
        catch (HttpRequestException e) when (!ct.IsCancellationRequested)
        {
            return CheckResult.Fail(Categories.Probes, name, $"GET {url} via {entry.Where}: {entry.LastCertificateProblem ?? Innermost(e)}");
        }
    }

    /// <summary>S3 put, get and delete of a probe object, with path-style addressing as MinIO serves it.</summary>
    public static async Task<CheckResult> S3Async(string name, EntryPoint entry, Uri serviceUrl, string bucket, string accessKey, string secretKey, CancellationToken ct)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = serviceUrl.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            HttpClientFactory = new EntryPointClientFactory(entry),
            // MinIO predates the SDK's default CRC trailers; plain signed payloads work with every version.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        using var s3 = new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), config);
        var key = $"verify-probe/{Guid.NewGuid():N}.txt";
        const string body = "data-platform verify probe";
        var step = "put";
        try
        {
            // One signed request with the plain body: the SDK's default aws-chunked framing is not understood by every S3 server.
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = body, UseChunkEncoding = false }, ct);
            step = "get";
            using (var got = await s3.GetObjectAsync(bucket, key, ct))
            using (var reader = new StreamReader(got.ResponseStream))
                if (await reader.ReadToEndAsync(ct) != body)
                    return CheckResult.Fail(Categories.Probes, name, $"s3://{bucket}/{key} came back with other content than was put");
            step = "delete";
            await s3.DeleteObjectAsync(bucket, key, ct);
            return CheckResult.Pass(Categories.Probes, name, $"put/get/delete in {bucket}");
        }
        catch (AmazonS3Exception e)
        {
            return CheckResult.Fail(Categories.Probes, name, $"S3 {step} s3://{bucket}/{key} at {serviceUrl}: {(int)e.StatusCode} {e.ErrorCode}: {e.Message}" +
                (e.ErrorCode is "InvalidAccessKeyId" or "SignatureDoesNotMatch" ? " (MINIO_ACCESS_KEY/MINIO_SECRET_KEY in .env differ from MinIO's)" : ""));
        }
        catch (Exception e) when (e is HttpRequestException or AmazonServiceException or AmazonClientException && !ct.IsCancellationRequested)
        {
            return CheckResult.Fail(Categories.Probes, name, $"S3 {step} at {serviceUrl} via {entry.Where}: {entry.LastCertificateProblem ?? Innermost(e)}");
        }
    }

    /// <summary>
    /// Connects with the application login and counts the rows of every table of its schema, as the database's own
    /// catalogue lists them (the sample SQL declares them; nothing here restates their names). No table, or an empty
    /// one, fails: the sample SQL did not load.
    /// </summary>
    public static async Task<CheckResult> PostgresAsync(string name, string host, int port, string database, string user, string password, CancellationToken ct)
    {
        var connection = new NpgsqlConnectionStringBuilder
        {
            Host = host, Port = port, Database = database, Username = user, Password = password,
            Timeout = 10, SslMode = SslMode.Prefer, Pooling = false,
        }.ConnectionString;
        try
        {
            await using var db = new NpgsqlConnection(connection);
            await db.OpenAsync(ct);
            // pg_tables lists every table, also those the login may not read: a missing grant then fails by name.
            var tables = new List<(string Schema, string Table)>();
            await using (var list = new NpgsqlCommand(
                "SELECT schemaname, tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename", db))
            await using (var reader = await list.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) tables.Add((reader.GetString(0), reader.GetString(1)));
            if (tables.Count == 0)
                return CheckResult.Fail(Categories.Probes, name, $"{user}@{host}:{port}/{database} has no tables in its schema: the sample SQL did not load");

            var counts = new List<string>();
            var empty = new List<string>();
            foreach (var (schema, table) in tables)
            {
                await using var command = new NpgsqlCommand($"SELECT count(*) FROM {Identifier(schema)}.{Identifier(table)}", db);
                var rows = (long)(await command.ExecuteScalarAsync(ct))!;
                counts.Add($"{table} {rows}");
                if (rows == 0) empty.Add(table);
            }
            return empty.Count == 0
                ? CheckResult.Pass(Categories.Probes, name, string.Join(", ", counts))
                : CheckResult.Fail(Categories.Probes, name, $"empty sample tables: {string.Join(", ", empty)} ({string.Join(", ", counts)}): the sample SQL did not load");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            return CheckResult.Fail(Categories.Probes, name, $"{user}@{host}:{port}/{database}: {e.Message}");
        }
    }

    static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }

    /// <summary>Hands the SDK our entry-point client, so S3 traffic goes to Traefik's IP with the platform CA only.</summary>
    sealed class EntryPointClientFactory(EntryPoint entry) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(entry.CreateHandler());
        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;
        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;
    }
}
