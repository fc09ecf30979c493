using System.Net;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Host;
using DataPlatform.Build.ImageCache;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using Spectre.Console;

namespace DataPlatform.Build.Doctor;

/// <summary>
/// The Doctor target, and the first step of Up: gathers the facts (one `docker info --format '{{json .}}'`, one
/// `docker inspect` of the kind control plane, /proc, the kubeconfig path, the platform's declared requests), prints
/// the table and the access mode, and stops the build when a check fails. It only reads: nothing on the machine changes.
/// </summary>
internal static class DoctorService
{
    /// <summary>docker info normally answers in well under a second; a daemon that does not answer within this hangs.</summary>

    public static async Task<DoctorReport> RunAsync(BuildContext context)
    {
        var report = await ExamineAsync(context, new LocalHostSystem(), HostEngine.CurrentOs(), withImageCache: true);
        context.Console.Write(Table(report));
        if (report.Access is { } access)
            context.Console.MarkupLineInterpolated($"Access mode: [bold]{access.Name}[/] ({access.Reason}).");
        context.DoctorFindings = report;
        RequireHealthy(report);
        return report;
    }

    /// <param name="withImageCache">also size the image cache (`docker system df --verbose`, which can take seconds on a
    /// large Docker): only for the table Doctor prints, not when a later step only needs the access mode.</param>
    public static async Task<DoctorReport> ExamineAsync(BuildContext context, IHostSystem host, HostOs os, bool withImageCache = false)
    {
        var ct = context.Cancellation;
        // All three only read, so the control plane's address and the cache's size are asked beside docker info rather
        // than after it. They are used only when Docker answered, and stopped as soon as it did not (a hung daemon
        // costs one bound, not three), or when the checks end early; no docker call outlives the examination.
        using var unanswered = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var container = $"{context.KindConfig.Name}-control-plane";
        var asking = QueryUnlessMissingAsync(token => context.Docker.InfoAsync(token), ct);
        var inspecting = QueryUnlessMissingAsync(token => context.Docker.ContainerAddressesAsync(container, token), unanswered.Token);
        var sizing = withImageCache ? ImageCacheAsync(context, unanswered.Token) : null;
        ToolResult? info = null, inspect = null;
        try { info = await asking; }
        finally
        {
            // Also when docker info timed out: the inspect is stopped and waited for, so no docker call outlives the build.
            if (info is not { Succeeded: true }) await unanswered.CancelAsync();
            try { inspect = await inspecting; }
            catch (OperationCanceledException) when (unanswered.IsCancellationRequested && !ct.IsCancellationRequested) { }
        }
        var controlPlane = info is { Succeeded: true } && inspect is { Succeeded: true }
            ? inspect.StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault(a => IPAddress.TryParse(a, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            : null;
        var input = new DoctorInput(
            info,
            os,
            controlPlane,
            MemoryRequests.Measure(Path.Combine(context.Root, "helmfile.yaml"), context.KindConfig.NodeCount),
            context.KindConfig.NodeCount,
            DoctorChecks.KubeconfigTarget(Environment.GetEnvironmentVariable("KUBECONFIG"), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)),
            context.Variables.Find,
            token => ProxyPortsAsync(context, token),
            context.Variables.SourceOf,
            sizing is null ? null : _ => sizing);
        try { return await new DoctorChecks(host).ExamineAsync(input, ct); }
        finally
        {
            await unanswered.CancelAsync();
            if (sizing is not null) await ((Task)sizing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>The host ports the platform's access proxy already publishes (its label), so a second Up does not take them for a clash.</summary>
    static async Task<IReadOnlyCollection<int>> ProxyPortsAsync(BuildContext context, CancellationToken ct)
    {
        var proxy = new Access.PortProxyService(context.Docker, context.KindConfig.Name, context.Console);
        var found = await QueryUnlessMissingAsync(async token => new ToolResult(0, string.Join(',', (await proxy.ObserveAsync(token))
            .Where(o => o.Name == proxy.Name).SelectMany(o => o.HostPorts)), ""), ct);
        return found is null ? [] : found.StandardOutput.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToHashSet();
    }

    /// <summary>The image cache's row: IMAGE_CACHE and kind-config.yaml's mirrors, and their volumes' size when they are on.</summary>
    static async Task<HostCheck> ImageCacheAsync(BuildContext context, CancellationToken ct)
    {
        try
        {
            if (!context.ImageCacheOn) return ImageCacheCheck.Off();
            if (context.RegistryMirrors.Count == 0) return ImageCacheCheck.NoMirrors();
        }
        catch (ConfigFileException e)
        {
            return HostCheck.Failure(ImageCacheCheck.Name, e.Message, $"fix the line named, or set {ImageCacheSetting.Variable}=off in .env.local");
        }
        return await ImageCacheCheck.MeasureAsync(context.RegistryMirrors, token => context.Docker.RunAsync(Docker.DiskUsageCommand(), token), ct);
    }

    /// <summary>
    /// The access mode for later steps (the published-mode proxy, PrintHosts): Doctor's decision when it ran in this
    /// build, otherwise examined now without printing. Fails, naming the cause, when it cannot be decided (Docker down,
    /// a bad PLATFORM_ACCESS).
    /// </summary>
    public static async Task<AccessDecision> AccessModeAsync(BuildContext context)
    {
        if (context.Target.IsExisting) return ExistingCluster.ExistingClusterAccess.Decision(context.Target);
        // Doctor did not run first (PublishPorts, Verify or PrintHosts alone): examine now, once for the run.
        context.DoctorFindings ??= await ExamineAsync(context, new LocalHostSystem(), HostEngine.CurrentOs());
        if (context.DoctorFindings.Access is { } access) return access;
        var cause = context.DoctorFindings.Failures.FirstOrDefault(f => f.Name is "access mode" or "docker");
        throw new BuildFailure($"The access mode cannot be decided: {cause?.Detail ?? "Docker did not describe its engine"}. Fix: {cause?.Fix ?? "run ./build.sh --target=Doctor"}.");
    }

    /// <summary>Failures stop Up before anything changes; warnings are printed and the build goes on.</summary>
    public static void RequireHealthy(DoctorReport report)
    {
        var failures = report.Failures;
        if (failures.Count == 0) return;
        throw new BuildFailure($"Doctor: {failures.Count} check(s) failed, so the build stops before changing anything:{Environment.NewLine}" +
            string.Join(Environment.NewLine, failures.Select(f => $"  - {f.Name}: {f.Detail}{Environment.NewLine}    fix: {f.Fix}")) +
            $"{Environment.NewLine}Then run the same command again (./build.sh --target=Doctor re-checks without doing anything else).");
    }

    public static Table Table(DoctorReport report)
    {
        // Three columns, the fix under what was found: readable on an 80-column terminal and in CI logs.
        var table = new Table().Border(TableBorder.Simple).AddColumns("Check", "Status", "Found / fix");
        foreach (var check in report.Checks)
        {
            var status = check.Status switch
            {
                CheckStatus.Ok => "[green]ok[/]",
                CheckStatus.Warning => "[yellow]warning[/]",
                _ => "[red]failure[/]",
            };
            var found = Markup.Escape(check.Detail) + (check.Fix is { } fix ? $"\n[grey]fix: {Markup.Escape(fix)}[/]" : "");
            table.AddRow(Markup.Escape(check.Name), status, found);
        }
        return table;
    }

    /// <summary>
    /// A docker query: null when docker is not installed. It cannot hang the build: the runner stops it at the
    /// command's own bound (Docker.InfoTimeout) and fails naming it, with what to check.
    /// </summary>
    static async Task<ToolResult?> QueryUnlessMissingAsync(Func<CancellationToken, Task<ToolResult>> query, CancellationToken ct)
    {
        try { return await query(ct); }
        catch (ToolNotFoundException) { return null; }
    }
}
