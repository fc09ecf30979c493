using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using DataPlatform.Build.Diagnostics;
using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tests.Frosting;
using DataPlatform.Build.Tests.Infrastructure;

namespace DataPlatform.Build.Tests.Diagnostics;

/// <summary>
/// The diagnostics bundle taken from a fake API server holding a broken platform: a crash-looping MinIO pod whose
/// release helm left failed, with its events and both logs (the one before the restart quoting a secret), helm's
/// release records, and a Secret holding the platform's password. The build's context is real; its tools answer
/// from an in-process runner, so no process starts.
/// </summary>
public sealed class DiagnosticsBundleTests : IAsyncLifetime
{
    const string CrashingPod = "minio-7d9f-abcde";
    FakeKubeApi _api = null!;
    string _folder = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeKubeApi.StartAsync();
        _folder = Directory.CreateTempSubdirectory("diagnostics-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_crash_looping_pod_is_described_with_both_logs_and_the_index_names_it_and_its_failed_release()
    {
        SeedBrokenPlatform();
        using var build = Build(_api.Url);

        var files = await TakeAsync(build);

        var describe = files[$"pods/minio/{CrashingPod}/describe.txt"];
        Assert.Contains("CrashLoopBackOff", describe);
        Assert.Contains("Restart Count:  4", describe);
        Assert.Contains("Exit Code:    1", describe);
        Assert.Contains("Back-off restarting failed container minio", describe);      // its own events
        Assert.Contains("<set to the key 'rootPassword' in secret 'minio'>", describe);  // named, never read
        // The last 200 lines of the current container, and of the one before the restart.
        var current = files[$"pods/minio/{CrashingPod}/minio.log"];
        Assert.Contains("line 299 of the current run", current);
        Assert.DoesNotContain("line 99 of the current run", current);
        Assert.Equal(200, current.TrimEnd('\n').Split('\n').Length);
        Assert.Contains("panic: cannot open /data: permission denied", files[$"pods/minio/{CrashingPod}/minio.previous.log"]);
        Assert.Contains(_api.RequestPaths, p => p.Contains($"/pods/{CrashingPod}/log") && p.Contains("previous=true") && p.Contains("tailLines=200"));
        // The ready pod is listed, not described.
        Assert.Contains("traefik-x1", files["cluster/pods.txt"]);
        Assert.DoesNotContain(files.Keys, f => f.StartsWith("pods/traefik/", StringComparison.Ordinal));

        var events = files["cluster/events.txt"];
        Assert.True(events.IndexOf("Scheduled", StringComparison.Ordinal) < events.IndexOf("BackOff", StringComparison.Ordinal), events);
        Assert.Contains("minio-worker", files["cluster/nodes.txt"]);
        Assert.Contains("MemoryPressure", files["cluster/nodes.txt"]);
        Assert.Contains("failed", files["helm/releases.txt"]);
        var history = files["helm/history-minio-minio.txt"];
        Assert.Contains("Install complete", history);
        Assert.Contains("timed out waiting for the condition", history);

        var index = files["index.md"];
        Assert.Contains($"Pod minio/{CrashingPod} is not ready: minio: CrashLoopBackOff (4 restarts)", index);
        Assert.Contains($"pods/minio/{CrashingPod}/describe.txt", index);
        Assert.Contains("Release minio/minio is failed at revision 2", index);
        Assert.Contains("First sign of trouble", index);
        Assert.Contains("Release registry/registry is not installed", index);
        Assert.Contains("Verify: 1 of 9 checks still failing", index);
    }

    [Fact]
    public async Task No_file_of_the_bundle_holds_a_secret_value_and_no_Secret_but_helms_records_is_read()
    {
        SeedBrokenPlatform();
        using var build = Build(_api.Url);

        var files = await TakeAsync(build);

        foreach (var secret in FixturePlatform.SecretValues)
        {
            var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
            Assert.All(files, file =>
            {
                Assert.DoesNotContain(secret, file.Value);
                Assert.DoesNotContain(base64, file.Value);
            });
        }
        // The previous log quoted the password: it is there, masked.
        Assert.Contains("login adminuser:***", files[$"pods/minio/{CrashingPod}/minio.previous.log"]);
        var secretReads = _api.RequestPaths.Where(p => p.Contains("/secrets")).ToList();
        Assert.NotEmpty(secretReads);
        Assert.All(secretReads, p => Assert.Contains("labelSelector=owner%3Dhelm", p));
    }

    [Fact]
    public async Task The_bundle_stays_under_its_bound_cutting_a_log_and_saying_so()
    {
        SeedBrokenPlatform(logLine: new string('x', 4000));
        using var build = Build(_api.Url);
        const long bound = 400 * 1024;

        var files = await TakeAsync(build, bound);

        Assert.True(files.Values.Sum(f => Encoding.UTF8.GetByteCount(f)) <= bound, $"{files.Values.Sum(f => f.Length)} bytes");
        var cut = files.Where(f => f.Value.Contains("[cut by the diagnostics bundle")).Select(f => f.Key).ToList();
        Assert.NotEmpty(cut);
        Assert.Contains("## Cut to keep the bundle under", files["index.md"]);
        Assert.All(cut, file => Assert.Contains($"`{file}`", files["index.md"]));
        // A cut log keeps its end: the failure is at the end.
        Assert.All(cut.Where(f => f.EndsWith(".log", StringComparison.Ordinal)), f => Assert.Contains("line 299 of the current run", files[f]));
    }

    [Fact]
    public async Task When_the_API_is_down_the_bundle_holds_what_could_be_read_and_says_why_the_rest_could_not()
    {
        using var build = Build($"http://127.0.0.1:{FakeKubeApi.ClosedPort()}");

        var files = await TakeAsync(build);

        Assert.Contains("versions.txt", files.Keys);
        Assert.Contains("doctor.txt", files.Keys);
        Assert.Contains("hosts-block.txt", files.Keys);
        var index = files["index.md"];
        Assert.Contains("The Kubernetes API did not answer", index);
        Assert.Contains("## What could not be read", index);
        Assert.Contains("The events: not tried: Cannot reach the Kubernetes API", index);
        Assert.Contains("Helm's releases: not tried", index);
        Assert.Contains("Could not be read: Cannot reach the Kubernetes API", files["cluster/version.txt"]);
        Assert.Contains("Could not be read: not tried, since Cannot reach the Kubernetes API", files["cluster/nodes.txt"]);
    }

    TestBuild Build(string server)
    {
        var kubeconfig = Kubeconfig.Write(_folder, server, "https://decoy.invalid:6443", FixturePlatform.Context);
        return new TestBuild(name => name == "KUBECONFIG" ? kubeconfig : null);
    }

    async Task<Dictionary<string, string>> TakeAsync(TestBuild build, long bound = DiagnosticsBundle.DefaultMaxBytes)
    {
        var path = Path.Combine(_folder, "bundle.tar.gz");
        await DiagnosticsService.WriteAsync(build.Context, path, "Verify: 1 of 9 checks still failing", CancellationToken.None, bound);
        Assert.True(new FileInfo(path).Length <= bound);
        return Read(path);
    }

    internal static Dictionary<string, string> Read(string path)
    {
        var files = new Dictionary<string, string>();
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null) continue;
            files[entry.Name] = new StreamReader(entry.DataStream).ReadToEnd();
        }
        return files;
    }

    void SeedBrokenPlatform(string logLine = "")
    {
        foreach (var ns in new[] { "minio", "traefik", "registry", "cert-manager", "metallb-system" })
            _api.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        _api.SeedNode("data-platform-control-plane");
        var worker = _api.SeedNode("minio-worker", role: "worker");
        worker["status"]!["conditions"]!.AsArray().Add(new JsonObject { ["type"] = "MemoryPressure", ["status"] = "False", ["reason"] = "KubeletHasSufficientMemory" });
        _api.Seed(worker);

        _api.Seed("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"CRASHING_POD","namespace":"minio","labels":{"app.kubernetes.io/instance":"minio"},
              "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"minio-7d9f","uid":"u1","controller":true}]},
             "spec":{"nodeName":"minio-worker","containers":[{"name":"minio","image":"quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z",
               "env":[{"name":"MINIO_ROOT_USER","value":"adminuser"},{"name":"MINIO_ROOT_PASSWORD","valueFrom":{"secretKeyRef":{"name":"minio","key":"rootPassword"}}}]}]},
             "status":{"phase":"Running","hostIP":"172.18.0.3","startTime":"2026-12-01T12:00:00Z",
               "conditions":[{"type":"Ready","status":"False","reason":"ContainersNotReady","message":"containers with unready status: [minio]"}],
               "containerStatuses":[{"name":"minio","image":"quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z","imageID":"","ready":false,"restartCount":4,
                 "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 1m20s restarting failed container=minio"}},
                 "lastState":{"terminated":{"reason":"Error","exitCode":1,"startedAt":"2026-12-01T12:04:00Z","finishedAt":"2026-12-01T12:04:02Z"}}}]}}
            """.Replace("CRASHING_POD", CrashingPod));
        _api.Seed("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"traefik-x1","namespace":"traefik","labels":{"app.kubernetes.io/instance":"traefik"}},
             "spec":{"containers":[{"name":"traefik","image":"traefik:v3.7"}]},
             "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"traefik","image":"traefik:v3.7","imageID":"","ready":true,"restartCount":0,"state":{"running":{}}}]}}
            """);
        // Out of time order on purpose: the bundle sorts them.
        _api.Seed(Event("e2", "Warning", "BackOff", "Back-off restarting failed container minio in pod " + CrashingPod, "2026-12-01T12:05:00Z"));
        _api.Seed(Event("e1", "Normal", "Scheduled", "Successfully assigned minio/" + CrashingPod + " to minio-worker", "2026-12-01T12:00:00Z"));
        _api.SeedPodLog("minio", CrashingPod, "minio",
            string.Concat(Enumerable.Range(0, 300).Select(i => $"{logLine}line {i} of the current run\n")));
        _api.SeedPodLog("minio", CrashingPod, "minio", "starting\nlogin adminuser:adminpassword\npanic: cannot open /data: permission denied\n", previous: true);

        // A Secret holding the platform's password: the bundle never reads it.
        _api.Seed("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"minio","namespace":"minio"},"data":{"rootPassword":"YWRtaW5wYXNzd29yZA=="}}""");
        _api.SeedHelmRelease(new FakeHelmRelease("minio", "minio", 1, "superseded") { Description = "Install complete" });
        _api.SeedHelmRelease(new FakeHelmRelease("minio", "minio", 2, "failed")
        {
            Description = "Upgrade \"minio\" failed: timed out waiting for the condition",
            Updated = new DateTimeOffset(2026, 12, 1, 12, 10, 0, TimeSpan.Zero),
        });
        _api.SeedHelmRelease(new FakeHelmRelease("traefik", "traefik", 1, "deployed"));
    }

    static JsonObject Event(string name, string type, string reason, string message, string at) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Event",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "minio" },
        ["involvedObject"] = new JsonObject { ["kind"] = "Pod", ["name"] = CrashingPod, ["namespace"] = "minio" },
        ["type"] = type,
        ["reason"] = reason,
        ["message"] = message,
        ["lastTimestamp"] = at,
        ["firstTimestamp"] = at,
        ["count"] = 1,
        ["source"] = new JsonObject { ["component"] = "kubelet" },
    };
}
