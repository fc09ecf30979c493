using DataPlatform.Build.Tests.Platform;
using DataPlatform.Build.Verify;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>
/// The sample database of the platform tests (a real PostgreSQL 15 loaded with values/sql/*.sql), behind a password
/// so that logging in is tested too. It stands in for the pg-source LoadBalancer.
/// </summary>
public sealed class PasswordSampleDatabase() : SampleDatabase(Password)
{
    public const string Password = "probe-password";
}

public sealed class PostgresProbeTests(PasswordSampleDatabase pg) : IClassFixture<PasswordSampleDatabase>
{
    [Fact]
    public async Task The_probe_counts_the_rows_of_every_table_the_sample_SQL_creates()
    {
        var result = await Probes.PostgresAsync("postgresql postgresql/pg-source", "127.0.0.1", pg.Port, SampleDatabase.DatabaseName, "postgres", PasswordSampleDatabase.Password, CancellationToken.None);

        Assert.True(result.Passed, result.Detail);
        // The probe reads the tables from the database's catalogue; these come from the SQL files.
        var tables = DeclaredNames.SampleTables();
        Assert.NotEmpty(tables);
        foreach (var table in tables)
            Assert.Matches($@"(^|, ){table} [1-9]\d*", result.Detail);
    }

    [Fact]
    public async Task A_wrong_password_fails_with_the_server_s_reason()
    {
        var result = await Probes.PostgresAsync("postgresql postgresql/pg-source", "127.0.0.1", pg.Port, SampleDatabase.DatabaseName, "postgres", "not-the-password", CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Contains("postgres@127.0.0.1", result.Detail);
        Assert.Contains("password authentication failed", result.Detail);
    }

    [Fact]
    public async Task A_database_without_tables_fails_saying_the_sample_SQL_did_not_load()
    {
        var result = await Probes.PostgresAsync("postgresql postgresql/pg-source", "127.0.0.1", pg.Port, "postgres", "postgres", PasswordSampleDatabase.Password, CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Contains("postgres@127.0.0.1", result.Detail);
        Assert.Contains("has no tables in its schema: the sample SQL did not load", result.Detail);
    }
}
