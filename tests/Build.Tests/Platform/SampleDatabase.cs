using Npgsql;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>The sample SQL of pg-source (values/sql/*.sql, in name order) loaded into a fresh database.</summary>
public class SampleDatabase : IAsyncLifetime
{
    public const string DatabaseName = "source";

    private readonly PostgresServer _server;

    public SampleDatabase() : this(null) { }

    protected SampleDatabase(string? password) => _server = new PostgresServer(password);

    public int Port => _server.Port;

    public IReadOnlyList<string> LoadedFiles { get; private set; } = [];

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync();

        await using (var admin = new NpgsqlConnection(_server.ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var files = Directory.EnumerateFiles(RepoRoot.File("values", "sql"), "*.sql").Order(StringComparer.Ordinal).ToList();
        await using var connection = await OpenAsync();
        foreach (var file in files)
        {
            try
            {
                await using var load = new NpgsqlCommand(await File.ReadAllTextAsync(file), connection);
                await load.ExecuteNonQueryAsync();
            }
            catch (PostgresException e)
            {
                throw new InvalidOperationException($"{Path.GetFileName(file)} does not load: {e.MessageText} (at {e.Position}, {e.Where})", e);
            }
        }

        LoadedFiles = files.Select(Path.GetFileName).ToList()!;
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(_server.ConnectionString(DatabaseName));
        await connection.OpenAsync();
        return connection;
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
