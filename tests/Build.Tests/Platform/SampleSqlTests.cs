namespace DataPlatform.Build.Tests.Platform;

/// <summary>
/// The sample data loads into a real PostgreSQL and the later parts' join works: every fact
/// falls inside exactly one version of its dimension, [version_start_date, version_end_date).
/// </summary>
public sealed class SampleSqlTests(SampleDatabase database) : IClassFixture<SampleDatabase>
{
    private const string StationJoin = """
        FROM station_status f
        JOIN station d
          ON d.latitude = f.latitude AND d.longitude = f.longitude
         AND f.status_date >= d.version_start_date AND f.status_date < d.version_end_date
        """;

    private const string ConnectorJoin = """
        FROM connector_status f
        JOIN connector d
          ON d.id = f.connector_id
         AND f.status_date >= d.version_start_date AND f.status_date < d.version_end_date
        """;

    [Fact]
    public void Schema_and_data_files_are_loaded_in_name_order()
    {
        Assert.Equal(["01-schema.sql", "02-data.sql"], database.LoadedFiles);
    }

    [Theory]
    [InlineData("station")]
    [InlineData("charging_device")]
    [InlineData("connector")]
    [InlineData("station_status")]
    [InlineData("connector_status")]
    public async Task Table_has_rows(string table)
    {
        Assert.True(await database.ScalarAsync($"SELECT count(*) FROM {table}") > 0, $"{table} is empty");
    }

    [Fact]
    public async Task Sample_stays_small()
    {
        var total = await database.ScalarAsync("""
            SELECT (SELECT count(*) FROM station) + (SELECT count(*) FROM charging_device) + (SELECT count(*) FROM connector)
                 + (SELECT count(*) FROM station_status) + (SELECT count(*) FROM connector_status)
            """);

        Assert.InRange(total, 100, 600);
    }

    [Fact]
    public async Task Every_station_status_joins_exactly_one_station_version()
    {
        var facts = await database.ScalarAsync("SELECT count(*) FROM station_status");

        Assert.Equal(facts, await database.ScalarAsync("SELECT count(*) " + StationJoin));
        Assert.Equal(facts, await database.ScalarAsync("SELECT count(DISTINCT f.station_status_id) " + StationJoin));
    }

    [Fact]
    public async Task Every_connector_status_joins_exactly_one_connector_version()
    {
        var facts = await database.ScalarAsync("SELECT count(*) FROM connector_status");

        Assert.Equal(facts, await database.ScalarAsync("SELECT count(*) " + ConnectorJoin));
        Assert.Equal(facts, await database.ScalarAsync("SELECT count(DISTINCT f.connector_status_id) " + ConnectorJoin));
    }

    [Fact]
    public async Task Versioned_dimensions_are_exercised_by_facts_on_both_sides_of_a_change()
    {
        // Natural keys whose facts hit two different versions: the join on dates really matters.
        var stations = await database.ScalarAsync("SELECT count(*) FROM (SELECT d.latitude, d.longitude " + StationJoin +
                                                  " GROUP BY d.latitude, d.longitude HAVING count(DISTINCT d.station_key) > 1) s");
        var connectors = await database.ScalarAsync("SELECT count(*) FROM (SELECT d.id " + ConnectorJoin +
                                                    " GROUP BY d.id HAVING count(DISTINCT d.connector_key) > 1) c");

        Assert.True(stations > 0, "no station has facts in two versions");
        Assert.True(connectors > 0, "no connector has facts in two versions");
        Assert.True(await database.ScalarAsync("SELECT count(*) FROM (SELECT id FROM charging_device GROUP BY id HAVING count(*) > 1) v") > 0,
            "no charging device has two versions");
    }

    [Fact]
    public async Task Versions_of_one_key_never_overlap_and_only_the_last_is_open_ended()
    {
        foreach (var (table, key) in new[] { ("station", "latitude, longitude"), ("charging_device", "id"), ("connector", "id") })
        {
            var overlaps = await database.ScalarAsync($"""
                SELECT count(*) FROM (
                  SELECT version_end_date,
                         lead(version_start_date) OVER (PARTITION BY {key} ORDER BY version_start_date) AS next_start
                  FROM {table}) v
                WHERE next_start IS NOT NULL AND next_start <> version_end_date
                """);
            var openEnded = await database.ScalarAsync($"""
                SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY {key}
                  HAVING count(*) FILTER (WHERE version_end_date = '9999-12-31 00:00:00+00') <> 1) k
                """);

            Assert.True(overlaps == 0, $"{table}: consecutive versions leave a gap or overlap");
            Assert.True(openEnded == 0, $"{table}: a key has no, or several, open-ended current versions");
        }
    }

    [Fact]
    public async Task Every_connector_version_belongs_to_a_charging_device_valid_when_it_starts()
    {
        var orphans = await database.ScalarAsync("""
            SELECT count(*) FROM connector c
            WHERE NOT EXISTS (
              SELECT 1 FROM charging_device d
              WHERE d.id = c.charging_device_id
                AND c.version_start_date >= d.version_start_date AND c.version_start_date < d.version_end_date)
            """);

        Assert.Equal(0, orphans);
    }

    [Fact]
    public async Task Coordinates_are_in_luxembourg()
    {
        var outside = await database.ScalarAsync("""
            SELECT count(*) FROM (SELECT latitude, longitude FROM station UNION ALL SELECT latitude, longitude FROM charging_device) p
            WHERE latitude NOT BETWEEN 49.44 AND 50.19 OR longitude NOT BETWEEN 5.73 AND 6.53
            """);

        Assert.Equal(0, outside);
    }
}
