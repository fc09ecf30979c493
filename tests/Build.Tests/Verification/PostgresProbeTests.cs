using System.Text;
using DataPlatform.Build.Verification;
using Npgsql;

namespace DataPlatform.Build.Tests.Verification;

/// <summary>
/// A real PostgreSQL 15 (Debian's binaries, run as the postgres user because initdb refuses root) in a temp dir
/// on a free port, loaded with the project's sample SQL (values/sql/*.sql) or, before that exists, a tiny fixture
/// with the same five tables. It stands in for the pg-source LoadBalancer.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    const string Bin = "/usr/lib/postgresql/15/bin";
    public const string Password = "probe-password";
    System.Diagnostics.Process? _server;
    readonly StringBuilder _log = new();
    string _dir = "";
    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "initdb"))) throw new InvalidOperationException($"PostgreSQL 15 is not installed ({Bin}); .ci/run installs postgresql-15.");
        _dir = Directory.CreateTempSubdirectory("verify-pg-").FullName;
        await LocalServers.RunAsync("chown", "postgres:postgres", _dir);
        var pwfile = Path.Combine(_dir, "pw");
        await File.WriteAllTextAsync(pwfile, Password);
        await LocalServers.RunAsync("chown", "postgres:postgres", pwfile);
        var data = Path.Combine(_dir, "data");
        await LocalServers.RunAsync("runuser", "-u", "postgres", "--", Path.Combine(Bin, "initdb"), "-D", data, "-U", "postgres",
            "--auth=scram-sha-256", "--pwfile=" + pwfile, "--no-sync");
        Port = LocalServers.FreePort();
        _server = LocalServers.Start("runuser", ["-u", "postgres", "--", Path.Combine(Bin, "postgres"), "-D", data, "-p", Port.ToString(),
            "-k", _dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"], _log);
        await LocalServers.WaitForPortAsync(Port, _server, () => _log.ToString());

        await using (var admin = new NpgsqlConnection(Connection("postgres")))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand("CREATE DATABASE source", admin).ExecuteNonQueryAsync();
        }
        await using var db = new NpgsqlConnection(Connection("source"));
        await db.OpenAsync();
        foreach (var sql in SampleSql())
            await new NpgsqlCommand(sql, db).ExecuteNonQueryAsync();
    }

    public string Connection(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Password={Password};Database={database};Pooling=false";

    /// <summary>The project's sample SQL when the repo has it, otherwise the fixture below.</summary>
    static IEnumerable<string> SampleSql()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "global.json")))
            {
                var sqlDir = Path.Combine(dir.FullName, "values", "sql");
                if (Directory.Exists(sqlDir)) return Directory.GetFiles(sqlDir, "*.sql").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
                break;
            }
        return [FixtureSql];
    }

    const string FixtureSql = """
        CREATE TABLE station (name text, latitude numeric(9,6), longitude numeric(9,6));
        CREATE TABLE charging_device (id integer, latitude numeric(9,6), longitude numeric(9,6));
        CREATE TABLE connector (id integer, name text, charging_device_id integer);
        CREATE TABLE station_status (latitude numeric(9,6), longitude numeric(9,6), status_date timestamptz, status text);
        CREATE TABLE connector_status (connector_id integer, status_date timestamptz, status text);
        INSERT INTO station VALUES ('Luxembourg - Place de l''Etoile', 49.6133, 6.117), ('Mamer - Route d''Arlon', 49.6275, 6.0233);
        INSERT INTO charging_device VALUES (1, 49.6133, 6.117);
        INSERT INTO connector VALUES (11, 'Type 2', 1), (12, 'CCS', 1);
        INSERT INTO station_status VALUES (49.6133, 6.117, '2024-06-01 10:00+02', 'AVAILABLE');
        INSERT INTO connector_status VALUES (11, '2024-06-01 10:00+02', 'OCCUPIED');
        """;

    public async Task DisposeAsync()
    {
        if (_server is not null) LocalServers.Stop(_server);
        await LocalServers.RunAsync("rm", "-rf", _dir);
    }
}

public sealed class PostgresProbeTests(PostgresServer pg) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task The_probe_counts_the_rows_of_the_five_sample_tables()
    {
        var result = await Probes.PostgresAsync("postgresql postgresql/pg-source", "127.0.0.1", pg.Port, "source", "postgres", PostgresServer.Password, CancellationToken.None);

        Assert.True(result.Passed, result.Detail);
        foreach (var table in Probes.SampleTables)
            Assert.Matches($@"(^|, ){table} [1-9]\d*", result.Detail);
    }

    [Fact]
    public async Task A_wrong_password_fails_with_the_server_s_reason()
    {
        var result = await Probes.PostgresAsync("postgresql postgresql/pg-source", "127.0.0.1", pg.Port, "source", "postgres", "not-the-password", CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Contains("postgres@127.0.0.1", result.Detail);
        Assert.Contains("password authentication failed", result.Detail);
    }

    [Fact]
    public async Task A_database_without_the_sample_tables_fails_naming_what_is_missing()
    {
        var result = await Probes.PostgresAsync("postgresql postgresql/pg-source", "127.0.0.1", pg.Port, "postgres", "postgres", PostgresServer.Password, CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Contains("station", result.Detail);
    }
}
