using System.Diagnostics;
using System.Net;
using System.Text;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using k8s;
using k8s.Autorest;
using Spectre.Console;


namespace DataPlatform.Build.Verify;

/// <summary>The logins the probes use, from .env.</summary>
internal sealed record ProbeCredentials(string MinioAccessKey, string MinioSecretKey, string RegistryUser, string RegistryPassword);

internal sealed record VerifySettings
{
    /// <summary>Namespaces whose workloads must be ready: the releases' namespaces plus kind's own.</summary>
    public required IReadOnlyCollection<string> Namespaces { get; init; }
    public required IReadOnlyList<Release> Releases { get; init; }
    public required string MetalLbRange { get; init; }
    /// <summary>Null skips the functional probes (the fake-API tests check the cluster objects only).</summary>
    public ProbeCredentials? Credentials { get; init; }
    /// <summary>Where the S3 probe writes: chosen from MinIO's values for the probe's login (see <see cref="MinioBuckets"/>).</summary>
    public ProbeBucket S3Bucket { get; init; } = new(null, "no bucket was chosen for the S3 probe");
    /// <summary>How long one probe may take before it counts as "no answer" for this round.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Where a LoadBalancer IP:port is really reached; identity in the cluster, 127.0.0.1:&lt;port&gt; in tests.</summary>
    public Func<string, int, EndPoint> Route { get; init; } = LoadBalancer.EndPoint;
    public string? ReportPath { get; init; }

    /// <summary>kind's own namespaces, which no release of ours declares.</summary>
    public static readonly IReadOnlyList<string> ClusterNamespaces = ["kube-system", "local-path-storage"];
}

/// <summary>
/// Runs every check in rounds until all pass or the timeout is spent, with a live table; then reports and
/// fails with each failing check and the reason Kubernetes (or the probe) gave.
/// </summary>
internal sealed class Verifier(PlatformCluster cluster, Helm helm, VerifySettings settings, IAnsiConsole console)
{
    public async Task<IReadOnlyList<CheckResult>> RunAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var passedProbes = new Dictionary<string, CheckResult>();
        IReadOnlyList<CheckResult> results = [];
        var table = new Table().Border(TableBorder.Simple).AddColumns("Check", "Status", "Detail");
        // --timeout bounds the whole loop, reads included; a read begun in time gets one request timeout more, so a slow
        // first answer is judged rather than cut off. A read still waiting after that is a timeout, never Ctrl+C.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(settings.Timeout + 3 * cluster.RequestTimeout);
        var rounds = console.Live(table).AutoClear(false).StartAsync(async live =>
        {
            while (true)
            {
                ClusterState state;
                var readStarted = clock.Elapsed;
                try { state = await ClusterReader.ReadAsync(cluster, settings.Namespaces, deadline.Token); }
                catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                {
                    throw ClusterReader.NoAnswer(cluster, clock.Elapsed - readStarted, e);
                }
                results = [.. ClusterObjectChecks(state, await HelmReleaseChecksAsync(ct)), .. await ProbeChecksAsync(state, passedProbes, ct)];
                Render(table, results, clock.Elapsed);
                live.Refresh();
                if (results.All(r => r.Passed) || clock.Elapsed >= settings.Timeout) break;
                await Task.Delay(Min(settings.PollInterval, settings.Timeout - clock.Elapsed), ct);
            }
        });
        try { await rounds; }
        catch (Exception e) when (settings.ReportPath is { } stoppedPath)
        {
            // CI reads the report whatever happened: the last round's checks, then why Verify stopped (an unreachable or
            // hung API server, Ctrl+C). The failure itself goes on unchanged.
            var reason = e is OperationCanceledException && ct.IsCancellationRequested
                ? $"stopped by Ctrl+C after {clock.Elapsed.TotalSeconds:0} s, before every check passed"
                : e.Message;
            try { VerifyReport.WriteIncomplete(stoppedPath, cluster.Context, reason, results, clock.Elapsed); }
            catch (BuildFailure reportFailure) { console.WriteLine(reportFailure.Message); }
            throw;
        }

        if (settings.ReportPath is { } path) VerifyReport.Write(path, cluster.Context, results, clock.Elapsed);
        var failing = results.Where(r => !r.Passed).ToList();
        if (failing.Count > 0)
            throw new BuildFailure(FailureMessage(failing, results.Count, clock.Elapsed));
        console.MarkupLineInterpolated($"[green]Verify: all {results.Count} checks pass on {cluster.Context}.[/]");
        return results;
    }

    IEnumerable<CheckResult> ClusterObjectChecks(ClusterState state, IEnumerable<CheckResult> helmReleases) =>
        ClusterChecks.Workloads(state, settings.Namespaces)
            .Concat(helmReleases)
            .Concat(ClusterChecks.LoadBalancers(state, settings.MetalLbRange))
            .Concat(ClusterChecks.Certificates(state))
            .Concat(ClusterChecks.TrustBundles(state))
            .Concat(ClusterChecks.Gateways(state));

    /// <summary>The releases as helm itself lists them (whatever HELM_DRIVER stores them in); a failing helm is one failing check.</summary>
    async Task<IReadOnlyList<CheckResult>> HelmReleaseChecksAsync(CancellationToken ct)
    {
        try
        {
            return ClusterChecks.HelmReleases(await helm.ListReleasesAsync(ct), settings.Releases, cluster.Context).ToList();
        }
        catch (Exception e) when (e is ToolFailedException or FormatException or BuildFailure && !ct.IsCancellationRequested)
        {
            var why = e is ToolFailedException failed
                ? $"`{failed.Command.Display}` exited with code {failed.Result.ExitCode}:{Environment.NewLine}{failed.StandardErrorTail(5)}"
                : e.Message;
            return [CheckResult.Fail(Categories.Platform, "helm releases", why)];
        }
    }

    /// <summary>Runs the probes that have not passed yet; one that passed stays passed, so a round does not repeat S3 writes.</summary>
    async Task<IReadOnlyList<CheckResult>> ProbeChecksAsync(ClusterState state, Dictionary<string, CheckResult> passed, CancellationToken ct)
    {
        if (settings.Credentials is not { } credentials) return [];
        var results = new List<CheckResult>();
        foreach (var (name, probe) in PlanProbes(state, credentials))
        {
            if (passed.TryGetValue(name, out var done)) { results.Add(done); continue; }
            using var perProbe = CancellationTokenSource.CreateLinkedTokenSource(ct);
            perProbe.CancelAfter(settings.ProbeTimeout);
            CheckResult result;
            try { result = await probe(perProbe.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                result = CheckResult.Fail(Categories.Probes, name, $"no answer within {settings.ProbeTimeout.TotalSeconds:0} s");
            }
            if (result.Passed) passed[name] = result;
            results.Add(result);
        }
        return results;
    }

    /// <summary>The probes this cluster calls for, found in what is deployed; a missing prerequisite is itself a failing check.</summary>
    IEnumerable<(string Name, Func<CancellationToken, Task<CheckResult>> Run)> PlanProbes(ClusterState state, ProbeCredentials credentials)
    {
        static (string, Func<CancellationToken, Task<CheckResult>>) Failing(string name, string why) =>
            (name, _ => Task.FromResult(CheckResult.Fail(Categories.Probes, name, why)));

        var traefikAddress = PlatformEndpoints.Traefik(state) is { } traefik ? LoadBalancer.Address(traefik) : null;
        var bundle = state.Bundles?.FirstOrDefault();
        var bundleName = bundle?.Str("metadata", "name");
        var pem = bundleName is null ? null : state.BundleConfigMaps.GetValueOrDefault(bundleName)?.Data?.Get(bundle!.Value.Str("spec", "target", "configMap", "key") ?? "");

        if (traefikAddress is null) yield return Failing("https entry point", "Traefik's LoadBalancer service (app.kubernetes.io/name=traefik) has no external address");
        else if (pem is null) yield return Failing("https entry point", "the trust bundle ConfigMap is not there yet: the platform CA is needed to check certificates");
        else
        {
            var roots = EntryPoint.ParsePem(pem);
            EntryPoint Entry(string address) => new(settings.Route(address, 443), roots);
            foreach (var host in PlatformEndpoints.Hosts(state))
            {
                var address = host.Address ?? traefikAddress;
                yield return ($"https {host.Host}", ct => Probes.HttpsAsync($"https {host.Host}", Entry(address), new Uri($"https://{host.Host}{host.Path}"), ct));
            }
            if (PlatformEndpoints.HostOfApp(state, "minio") is not { } s3Host)
                yield return Failing("s3 endpoint", "no Ingress routes to MinIO's API service (label app=minio)");
            else if (settings.S3Bucket.Name is not { } bucket)
                yield return Failing($"s3 {s3Host}", settings.S3Bucket.Explanation);
            else
                yield return ($"s3 {s3Host}", ct => Probes.S3Async($"s3 {s3Host}", Entry(traefikAddress), new Uri($"https://{s3Host}"), bucket,
                    credentials.MinioAccessKey, credentials.MinioSecretKey, ct));
            if (PlatformEndpoints.HostOfApp(state, "docker-registry") is { } registryHost)
                yield return ($"registry {registryHost}", ct => Probes.RegistryAsync($"registry {registryHost}", Entry(traefikAddress), new Uri($"https://{registryHost}"),
                    credentials.RegistryUser, credentials.RegistryPassword, ct));
            else yield return Failing("registry endpoint", "no Ingress routes to the registry service (label app=docker-registry)");
        }

        var postgres = PlatformEndpoints.Postgres(state);
        if (postgres.Count == 0) yield return Failing("postgresql", "no CloudNativePG Cluster with a LoadBalancer service");
        foreach (var target in postgres)
        {
            var name = $"postgresql {target.Namespace}/{target.Service}";
            if (target.Address is null) { yield return Failing(name, "the LoadBalancer service has no external address yet"); continue; }
            yield return (name, ct => PostgresProbeAsync(name, target, ct));
        }
    }

    async Task<CheckResult> PostgresProbeAsync(string name, PostgresTarget target, CancellationToken ct)
    {
        k8s.Models.V1Secret secret;
        try { secret = await cluster.Client.CoreV1.ReadNamespacedSecretAsync(target.AppSecret, target.Namespace, cancellationToken: ct); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return CheckResult.Fail(Categories.Probes, name, $"secret {target.Namespace}/{target.AppSecret} (CloudNativePG's application login) does not exist yet");
        }
        string? Field(string key) => secret.Data?.TryGetValue(key, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : null;
        if (Field("username") is not { } user || Field("password") is not { } password)
            return CheckResult.Fail(Categories.Probes, name, $"secret {target.Namespace}/{target.AppSecret} has no username/password");
        var (host, port) = settings.Route(target.Address!, target.Port) switch
        {
            DnsEndPoint byName => (byName.Host, byName.Port),
            IPEndPoint byAddress => (byAddress.Address.ToString(), byAddress.Port),
            var other => throw new InvalidOperationException($"no route to {target.Address}: {other}"),
        };
        return await Probes.PostgresAsync(name, host, port, Field("dbname") ?? user, user, password, ct);
    }

    static void Render(Table table, IReadOnlyList<CheckResult> results, TimeSpan elapsed)
    {
        table.Rows.Clear();
        foreach (var r in results)
            table.AddRow(new Text(r.Name), r.Passed ? new Markup("[green]pass[/]") : new Markup("[red]FAIL[/]"),
                new Text(r.Detail.Split('\n')[0].TrimEnd('\r')));
        var failing = results.Count(r => !r.Passed);
        table.Caption(failing == 0 ? $"all {results.Count} checks pass" : $"{failing} of {results.Count} failing after {elapsed:m\\:ss}; re-checking");
    }

    string FailureMessage(IReadOnlyList<CheckResult> failing, int total, TimeSpan elapsed)
    {
        var message = new StringBuilder();
        message.AppendLine($"Verify: {failing.Count} of {total} checks still failing on context {cluster.Context} after {elapsed.TotalSeconds:0} s (--timeout={settings.Timeout.TotalSeconds:0}):");
        foreach (var check in failing)
            message.AppendLine($"  - {check.Name}: {check.Detail.Replace("\n", "\n      ")}");
        message.Append("  next: fix the first cause above (kubectl --context " + cluster.Context + " describe ... shows more), then run ./build.sh --target=Verify again; " +
                       "a platform still starting may just need a longer --timeout.");
        return message.ToString();
    }

    static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? (a < TimeSpan.Zero ? TimeSpan.Zero : a) : (b < TimeSpan.Zero ? TimeSpan.Zero : b);
}
