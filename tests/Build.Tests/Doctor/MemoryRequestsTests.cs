using System.Net;
using System.Net.Sockets;
using DataPlatform.Build.Doctor;
using DataPlatform.Build.Host;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Doctor;

/// <summary>The platform's memory need is measured from the files at run time; these check the measuring, not a figure.</summary>
public sealed class MemoryRequestsTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("doctor-values-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    string Helmfile(string releases, params (string File, string Text)[] values)
    {
        Directory.CreateDirectory(Path.Combine(_root, "values"));
        foreach (var (file, text) in values) File.WriteAllText(Path.Combine(_root, file), text);
        var path = Path.Combine(_root, "helmfile.yaml");
        File.WriteAllText(path, "helmDefaults:\n  kubeContext: kind-x\ncommonLabels:\n  app.kubernetes.io/managed-by: data-platform-build\nreleases:\n" + releases);
        return path;
    }

    [Fact]
    public void The_repositorys_own_values_are_all_read_and_every_declared_request_is_counted_once()
    {
        var need = MemoryRequests.Measure(RepoRoot.File("helmfile.yaml"), kindNodes: 3);

        Assert.Empty(need.Unread);
        Assert.Equal(need.Requests.Sum(r => r.Bytes), need.Bytes);
        // Every resources.requests.memory a values file declares is in the sum, wherever it sits.
        foreach (var file in Directory.EnumerateFiles(RepoRoot.File("values")).Where(f => File.ReadAllText(f).Contains("requests:")))
            Assert.Contains(need.Requests, r => r.Source == "values/" + Path.GetFileName(file));
        Assert.Contains(need.Requests, r => r.Source == "kind node image");
    }

    [Fact]
    public void A_chart_default_counts_only_where_the_values_leave_it_out()
    {
        var withoutValues = MemoryRequests.Measure(Helmfile("  - name: minio\n    namespace: minio\n    chart: minio/minio\n    version: 5.4.0\n"), 1);
        var withValues = MemoryRequests.Measure(Helmfile(
            "  - name: minio\n    namespace: minio\n    chart: minio/minio\n    version: 5.4.0\n    values: [values/minio.yaml.gotmpl]\n",
            ("values/minio.yaml.gotmpl", "rootUser: {{ requiredEnv \"MINIO_ACCESS_KEY\" | quote }}\nresources:\n  requests:\n    memory: 512Mi\n")), 1);

        Assert.Contains(withoutValues.Requests, r => r.Bytes == 16L << 30 && r.Source == "chart minio 5.4.0 default");
        Assert.DoesNotContain(withValues.Requests, r => r.Source.StartsWith("chart"));
        Assert.Contains(withValues.Requests, r => r.Bytes == 512L << 20 && r.Source == "values/minio.yaml.gotmpl");
        Assert.Equal(16L << 30, withoutValues.Bytes - withValues.Bytes + (512L << 20));
    }

    [Fact]
    public void Requests_inside_custom_objects_count_and_template_only_lines_do_not_break_the_reading()
    {
        var need = MemoryRequests.Measure(Helmfile(
            "  - name: pg\n    namespace: pg\n    chart: ./charts/extra-objects\n    values: [values/pg.yaml.gotmpl]\n",
            ("values/pg.yaml.gotmpl", """
                extraObjects:
                  - kind: ConfigMap
                    data:
                      schema.sql: |
                {{ readFile "sql/01-schema.sql" | indent 8 }}
                  - kind: Cluster
                    spec:
                      instances: 1
                      resources:
                        requests:
                          memory: 1Gi
                """)), 1);

        Assert.Empty(need.Unread);
        var request = Assert.Single(need.Requests, r => r.Source == "values/pg.yaml.gotmpl");
        Assert.Equal(1L << 30, request.Bytes);
        Assert.Equal("pg: extraObjects[1].spec.resources.requests.memory", request.What);
    }

    [Fact]
    public void An_unknown_chart_version_and_a_bad_quantity_are_reported_not_guessed()
    {
        var need = MemoryRequests.Measure(Helmfile(
            "  - name: t\n    namespace: t\n    chart: traefik/traefik\n    version: 99.0.0\n    values: [values/t.yaml]\n",
            ("values/t.yaml", "resources:\n  requests:\n    memory: lots\n")), 1);

        Assert.Contains(need.Unread, u => u.Contains("traefik/traefik 99.0.0"));
        Assert.Contains(need.Unread, u => u.Contains("'lots' is not a quantity"));
    }

    [Fact]
    public void Kinds_own_pods_scale_with_the_node_count()
    {
        var path = Helmfile("  - name: x\n    namespace: x\n    chart: ./charts/extra-objects\n");

        Assert.Equal(2 * (50L << 20), MemoryRequests.Measure(path, 3).Bytes - MemoryRequests.Measure(path, 1).Bytes);
    }

    [Fact]
    public void A_missing_helmfile_still_counts_kinds_pods_and_says_what_was_not_read()
    {
        var need = MemoryRequests.Measure(Path.Combine(_root, "nope.yaml"), 1);

        Assert.True(need.Bytes > 0);
        Assert.Contains(need.Unread, u => u.Contains("nope.yaml"));
    }

    [Theory]
    [InlineData("512Mi", 536870912L)]
    [InlineData("1Gi", 1073741824L)]
    [InlineData("1.5Gi", 1610612736L)]
    [InlineData("128974848", 128974848L)]
    [InlineData("129M", 129000000L)]
    [InlineData("1e9", 1000000000L)]
    [InlineData("100Ki", 102400L)]
    public void Kubernetes_quantities_are_read_as_bytes(string quantity, long bytes) =>
        Assert.Equal(bytes, MemoryRequests.ParseQuantity(quantity));

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-1Gi")]
    [InlineData("1GB")]
    public void Anything_else_is_not_a_quantity(string text) => Assert.Null(MemoryRequests.ParseQuantity(text));
}

/// <summary>The real machine-facing reader, on a fake /proc root and loopback sockets.</summary>
public sealed class LocalHostSystemTests
{
    [Fact]
    public void Listening_ports_come_from_the_kernels_socket_table()
    {
        const string table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 587 1 0 100 0 0 10 0
               1: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31455 1 0 100 0 0 10 0
               2: 0100007F:01BB 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 31456 1 0 100 0 0 10 0
            """;

        Assert.Equal([80, 5432], LocalHostSystem.ListeningPorts(table).Order());
    }

    [Fact]
    public async Task A_port_is_in_use_when_the_proc_table_says_so()
    {
        var root = Directory.CreateTempSubdirectory("doctor-proc-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "net"));
            File.WriteAllText(Path.Combine(root, "net", "tcp"), "header\n   0: 00000000:01BB 00000000:0000 0A 0 0 0 0 0 0\n");
            var host = new LocalHostSystem(root);

            Assert.True(await host.IsListeningAsync(443, CancellationToken.None));
            Assert.False(await host.IsListeningAsync(80, CancellationToken.None));
            Assert.Null(host.ReadProc("sys/fs/inotify/max_user_watches"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Free_space_is_read_for_any_directory_and_not_invented_for_a_missing_one()
    {
        var host = new LocalHostSystem();

        var space = host.SpaceAt(Path.GetTempPath());

        Assert.NotNull(space);
        Assert.InRange(space.Free, 0, space.Total);
        Assert.True(space.Total > 0);
        Assert.Null(host.SpaceAt("/no/such/docker/root"));
    }

    [Fact]
    public async Task The_control_plane_probe_is_a_bounded_tcp_connect()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var open = ((IPEndPoint)listener.LocalEndpoint).Port;
        var host = new LocalHostSystem();

        Assert.True(await host.AnswersAsync("127.0.0.1", open, TimeSpan.FromSeconds(2), CancellationToken.None));
        listener.Stop();

        // A server that never answers, on loopback only (tests dial no other address): a listener whose accept queue is
        // full, so the kernel drops every further SYN and a connect can only time out, and must within the bound.
        using var deaf = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        deaf.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        deaf.Listen(0);
        var deafPort = ((IPEndPoint)deaf.LocalEndPoint!).Port;
        var queued = new List<Socket>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                queued.Add(client);
                using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                try { await client.ConnectAsync(IPAddress.Loopback, deafPort, quick.Token); }
                catch (OperationCanceledException) { break; }   // the queue is full: SYNs are dropped from here on
            }
            var started = DateTime.UtcNow;
            Assert.False(await host.AnswersAsync("127.0.0.1", deafPort, TimeSpan.FromMilliseconds(300), CancellationToken.None));
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        }
        finally
        {
            foreach (var client in queued) client.Dispose();
        }
    }
}
