using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Progress;
using DataPlatform.Build.Tests.Infrastructure;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.Progress;

/// <summary>
/// The progress a long step shows outside a terminal: a line on each change and a heartbeat while nothing changes,
/// never waiting on a read, gone when the step ends; and what the reader takes from the cluster. The timings are
/// shortened (the build's are 2 s and 15 s); the heartbeat is a bound, so the test checks it is kept, not its speed.
/// </summary>
public sealed class LiveProgressTests
{
    static readonly ProgressTiming Fast = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200));

    static ProgressSnapshot Snapshot(params ReleaseProgress[] releases) => new(releases);

    static List<string> Lines(TestConsole console) =>
        console.Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("HelmfileApply ", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task A_line_on_every_change_and_a_heartbeat_while_nothing_changes_then_nothing_once_the_step_ends()
    {
        var console = new TestConsole();
        console.Profile.Width = 240;
        console.Profile.Capabilities.Unicode = true;
        var current = Snapshot(new ReleaseProgress("traefik", "traefik", "deployed", 0, 1), new ReleaseProgress("minio", "minio", "pending-install", 1, 2));

        var reads = 0;
        await using (LiveProgress.Start("HelmfileApply", ProgressMode.Lines, _ => { Interlocked.Increment(ref reads); return Task.FromResult(current); }, console, Fast))
        {
            await WaitUntil(() => Lines(console).Count >= 1);
            current = Snapshot(new ReleaseProgress("traefik", "traefik", "deployed", 1, 1), new ReleaseProgress("minio", "minio", "pending-install", 1, 2));
            // Unchanged from here on: only heartbeats.
            await WaitUntil(() => Lines(console).Count(l => l.Contains("1/2 releases ready")) >= 3);
        }
        var lines = Lines(console);
        Assert.Matches(@"^HelmfileApply \d\d:\d\d · 0/2 releases ready · waiting: traefik 0/1, minio pending-install 1/2$", lines[0]);
        Assert.Matches(@"^HelmfileApply \d\d:\d\d · 1/2 releases ready · waiting: minio pending-install 1/2$", lines.First(l => l.Contains("1/2 releases ready")));
        // Not a line per read: a change prints once, then only the heartbeat.
        Assert.True(lines.Count * 3 < reads, $"{lines.Count} lines for {reads} reads");

        var ended = Lines(console).Count;
        await Task.Delay(Fast.Heartbeat * 3);
        Assert.Equal(ended, Lines(console).Count);
    }

    [Fact]
    public async Task A_read_that_never_answers_holds_nothing_up_and_the_heartbeat_still_says_what_it_waits_for()
    {
        var console = new TestConsole();
        console.Profile.Width = 240;
        var progress = LiveProgress.Start("HelmfileApply", ProgressMode.Lines,
            async ct => { await Task.Delay(Timeout.Infinite, ct); return Snapshot(); }, console, Fast);

        await WaitUntil(() => Lines(console).Count >= 2);
        var stopping = progress.DisposeAsync().AsTask();

        Assert.Same(stopping, await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.All(Lines(console), l => Assert.EndsWith("reading the cluster", l));
    }

    [Fact]
    public async Task Without_Unicode_the_separator_is_ASCII()
    {
        var console = new TestConsole();
        console.Profile.Width = 240;
        console.Profile.Capabilities.Unicode = false;
        await using (LiveProgress.Start("HelmfileApply", ProgressMode.Lines,
            _ => Task.FromResult(Snapshot(new ReleaseProgress("minio", "minio", null, 0, 0))), console, Fast))
            await WaitUntil(() => Lines(console).Count >= 1);

        Assert.Matches(@"^HelmfileApply \d\d:\d\d - 0/1 releases ready - waiting: minio not installed$", Lines(console)[0]);
    }

    [Fact]
    public async Task In_a_terminal_a_live_table_shows_each_release_its_status_and_pods()
    {
        var console = new TestConsole().Interactive();
        console.Profile.Width = 160;
        var current = Snapshot(new ReleaseProgress("traefik", "traefik", "deployed", 1, 1), new ReleaseProgress("minio", "minio", "pending-install", 0, 2));
        await using (LiveProgress.Start("HelmfileApply", ProgressMode.Table, _ => Task.FromResult(current), console, Fast))
            await WaitUntil(() => console.Output.Contains("1/2 releases ready"));

        Assert.Contains("Release", console.Output);
        Assert.Matches(@"traefik\s+.*ready\s+.*1/1", console.Output);
        Assert.Matches(@"minio\s+.*pending-install\s+.*0/2", console.Output);
    }

    [Theory]
    [InlineData(true, true, null, Verbosity.Normal, true, "Table")]
    [InlineData(true, true, "dumb", Verbosity.Normal, true, "Lines")]
    [InlineData(false, false, null, Verbosity.Normal, true, "Lines")]          // CI, a pipe
    [InlineData(false, false, null, Verbosity.Quiet, true, "Off")]
    [InlineData(true, true, null, Verbosity.Quiet, true, "Off")]
    [InlineData(true, true, null, Verbosity.Normal, false, "Off")]            // Verify's own table is the live display
    [InlineData(false, false, null, Verbosity.Normal, false, "Lines")]
    public void A_terminal_gets_a_table_anything_else_lines_and_quiet_nothing(bool interactive, bool ansi, string? term, Verbosity verbosity, bool tableAllowed, string expected)
    {
        var console = new TestConsole();
        console.Profile.Width = 240;
        console.Profile.Capabilities.Interactive = interactive;
        console.Profile.Capabilities.Ansi = ansi;
        Assert.Equal(Enum.Parse<ProgressMode>(expected), LiveProgress.ModeFor(console, verbosity, name => name == "TERM" ? term : null, tableAllowed));
    }

    [Fact]
    public async Task The_reader_finds_each_releases_pods_by_helms_instance_label_and_its_status_in_helms_records()
    {
        await using var api = await FakeKubeApi.StartAsync();
        var directory = Directory.CreateTempSubdirectory("progress-").FullName;
        try
        {
            foreach (var ns in new[] { "traefik", "minio" })
                api.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
            api.Seed(Pod("traefik", "traefik-a", "traefik", ready: true));
            api.Seed(Pod("minio", "minio-a", "minio", ready: true));
            api.Seed(Pod("minio", "minio-b", "minio", ready: false));
            api.Seed(Pod("minio", "someone-else", "not-ours", ready: false));
            api.SeedHelmRelease(new FakeHelmRelease("traefik", "traefik", 1, "deployed"));
            api.SeedHelmRelease(new FakeHelmRelease("minio", "minio", 1, "failed"));
            api.SeedHelmRelease(new FakeHelmRelease("minio", "minio", 2, "pending-upgrade"));
            var cluster = PlatformCluster.Connect("kind-data-platform", Kubeconfig.Write(directory, api.Url, "https://decoy.invalid:6443"));
            Release[] releases = [new("traefik", "traefik", []), new("minio", "minio", []), new("registry", "minio", [])];

            var snapshot = await new ReleaseProgressReader(cluster, releases, helmDriver: null).ReadAsync(CancellationToken.None);

            Assert.Null(snapshot.Problem);
            Assert.Equal("1/3 releases ready · waiting: minio pending-upgrade 1/2, registry not installed", snapshot.Summary(" · "));
            // In-process reads, one of pods and one of helm's records per namespace; never a cluster-wide list of Secrets.
            Assert.Contains(api.RequestPaths, p => p.StartsWith("/api/v1/namespaces/minio/pods", StringComparison.Ordinal));
            Assert.DoesNotContain(api.RequestPaths, p => p.StartsWith("/api/v1/secrets", StringComparison.Ordinal));
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public async Task An_API_that_is_down_is_a_snapshot_that_says_so_not_a_failure()
    {
        var directory = Directory.CreateTempSubdirectory("progress-").FullName;
        try
        {
            var cluster = PlatformCluster.Connect("kind-data-platform", Kubeconfig.Write(directory, $"http://127.0.0.1:{FakeKubeApi.ClosedPort()}", "https://decoy.invalid:6443"));
            var snapshot = await new ReleaseProgressReader(cluster, [new Release("minio", "minio", [])], null).ReadAsync(CancellationToken.None);
            Assert.NotNull(snapshot.Problem);
            Assert.StartsWith("cluster not readable (", snapshot.Summary(" · "));
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    static JsonObject Pod(string ns, string name, string instance, bool ready) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["app.kubernetes.io/instance"] = instance } },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "x" }) },
        ["status"] = new JsonObject
        {
            ["phase"] = "Running",
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
        },
    };

    static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the progress never printed what was expected");
            await Task.Delay(10);
        }
    }
}
