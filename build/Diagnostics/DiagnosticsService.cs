using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using DataPlatform.Build.Doctor;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Host;
using DataPlatform.Build.PrintHosts;
using DataPlatform.Build.Process;
using DataPlatform.Build.Toolchain;
using Spectre.Console;

namespace DataPlatform.Build.Diagnostics;

/// <summary>
/// Gathers what a person needs to diagnose the platform without access to it, into one .tar.gz: versions and Doctor's
/// report, the cluster as <see cref="ClusterDiagnostics"/> reads it, the applied record and the hosts block, kind's own
/// logs when the cluster is the platform's kind cluster, and an index.md saying what failed first and where to look.
/// It only reads (kind export logs writes to a temporary folder), never fails the run for a part it could not read, and
/// never holds a secret's value: everything goes through the secrets' mask, and no Secret's data is read but helm's
/// release records, of which only the status and description are kept.
/// </summary>
internal static class DiagnosticsService
{
    /// <summary>kind export logs runs journalctl and crictl on every node; a wedged node must not hold the bundle up for long.</summary>
    public static readonly TimeSpan KindLogsTimeout = TimeSpan.FromMinutes(3);

    public static string DefaultFolder(string root) => Path.Combine(root, ".artifacts", "diagnostics");

    /// <summary>The bundle's name: the UTC time it was taken, sortable and safe on every file system.</summary>
    public static string FileName(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + ".tar.gz";

    /// <summary>Takes a bundle and writes it to <paramref name="path"/>; returns its size in bytes.</summary>
    /// <param name="failure">What failed in this run ("Verify: ..."), or null for --target=Diagnose.</param>
    public static async Task<long> WriteAsync(BuildContext context, string path, string? failure, CancellationToken ct, long maxBytes = DiagnosticsBundle.DefaultMaxBytes)
    {
        var taken = DateTimeOffset.UtcNow;
        var bundle = new DiagnosticsBundle(context.Mask, maxBytes);
        bundle.Add("versions.txt", await VersionsAsync(context, ct));
        bundle.Add("doctor.txt", context.Target.IsExisting
            ? $"{context.Target.Describe()}: this machine's Docker plays no part; ./build.sh --target=Doctor checks the cluster.\n"
            : await DoctorAsync(context, bundle, ct));

        ClusterFindings? findings = null;
        try
        {
            var kubeconfig = context.Kubeconfig.Read();
            if (!kubeconfig.HasContext(context.Target.Context))
                bundle.CouldNotRead("the cluster", $"kube context {context.Target.Context} is not in the kubeconfig ({kubeconfig.Describe()})");
            else
                findings = await new ClusterDiagnostics(context.Cluster, context.HelmfileSpec.Releases, context.EnvironmentVariable("HELM_DRIVER"), bundle).ReadAsync(ct);
        }
        catch (BuildFailure e)
        {
            // A kubeconfig that cannot be read or used: said in the index, and the rest of the bundle still taken.
            bundle.CouldNotRead("the cluster", e.Message);
        }

        bundle.Add("hosts-block.txt", HostsBlocks(context));
        if (context.Target.IsKind) await KindLogsAsync(context, bundle, ct);
        bundle.AddIndex(DiagnosticsIndex.Markdown(context.Target.Context, taken, failure, findings, bundle));
        return await bundle.WriteAsync(path, ct);
    }

    static async Task<string> VersionsAsync(BuildContext context, CancellationToken ct)
    {
        var text = new StringBuilder();
        var assembly = typeof(DiagnosticsService).Assembly;
        text.AppendLine($"build: {assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "dev"}");
        text.AppendLine($".NET: {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
        // An existing cluster (PLATFORM_CONTEXT) is never driven through kind or this machine's docker: neither is asked.
        foreach (var tool in context.Target.IsExisting ? ["kubectl", "helm", "helmfile"] : new[] { "kind", "kubectl", "helm", "helmfile", "docker" })
        {
            var command = tool == "docker"
                ? new ToolCommand("docker", ["version", "--format", "client {{.Client.Version}}, server {{.Server.Version}}"])
                : ToolInstaller.VersionCommand(tool, tool, context.Target.Context);
            try
            {
                var result = await context.Runner.RunAsync(command with { AllowFailure = true, Timeout = TimeSpan.FromSeconds(30) }, ct);
                var answer = (result.StandardOutput + "\n" + result.StandardError).Trim().Split('\n').FirstOrDefault()?.Trim();
                text.AppendLine($"{tool}: {answer}{(result.Succeeded ? "" : $" (exit code {result.ExitCode})")}");
            }
            catch (Exception e) when (e is ToolNotFoundException or ToolTimeoutException)
            {
                text.AppendLine($"{tool}: {e.Message.Split('\n')[0]}");
            }
        }
        return text.ToString();
    }

    /// <summary>Doctor's report from this run, or examined now (read-only) when Doctor did not run.</summary>
    static async Task<string> DoctorAsync(BuildContext context, DiagnosticsBundle bundle, CancellationToken ct)
    {
        var report = context.DoctorFindings;
        var text = new StringBuilder();
        if (report is null)
        {
            try { report = await DoctorService.ExamineAsync(context, new LocalHostSystem(), HostEngine.CurrentOs()); }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Whatever stops Doctor (Docker down, an answer it cannot read) is itself a finding, not a reason to lose the bundle.
                bundle.CouldNotRead("Doctor's report", e.Message.Split('\n')[0]);
                return $"Doctor could not examine this machine: {e.Message}\n";
            }
        }
        foreach (var check in report.Checks)
            text.AppendLine($"{check.Status.ToString().ToLowerInvariant(),-8} {check.Name}: {check.Detail}" + (check.Fix is { } fix ? $"\n         fix: {fix}" : ""));
        if (report.Access is { } access) text.AppendLine($"access mode: {access.Name} ({access.Reason})");
        return text.ToString();
    }

    /// <summary>The platform's marked block of /etc/hosts, and of --hosts-file when it names another file.</summary>
    static string HostsBlocks(BuildContext context)
    {
        var name = context.KindConfig.Name;
        var text = new StringBuilder();
        foreach (var file in new[] { "/etc/hosts", context.Options.HostsFile }.OfType<string>().Distinct())
        {
            text.AppendLine($"{file}:");
            try
            {
                var lines = File.ReadAllLines(file);
                var start = Array.FindIndex(lines, l => l.Trim() == HostsFile.Begin(name));
                var end = start < 0 ? -1 : Array.FindIndex(lines, start, l => l.Trim() == HostsFile.End(name));
                text.AppendLine(start < 0 ? $"  no {HostsFile.Begin(name)} block: PrintHosts --hosts-file={file} writes one"
                    : string.Join('\n', lines[start..(end < 0 ? lines.Length : end + 1)].Select(l => "  " + l)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                text.AppendLine($"  cannot be read: {e.Message}");
            }
        }
        return text.ToString();
    }

    /// <summary>`kind export logs` into a temporary folder, its files added under kind-logs/ while the bound allows.</summary>
    static async Task KindLogsAsync(BuildContext context, DiagnosticsBundle bundle, CancellationToken ct)
    {
        var name = context.KindConfig.Name;
        var folder = Directory.CreateTempSubdirectory("kind-logs-").FullName;
        try
        {
            if (!(await context.Kind.GetClustersAsync(ct)).Contains(name))
            {
                bundle.CouldNotRead("kind's logs", $"kind has no cluster named {name}");
                return;
            }
            await context.Runner.RunAsync(Tools.Kind.ExportLogsCommand(name, folder, KindLogsTimeout), ct);
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                bundle.Add("kind-logs/" + Path.GetRelativePath(folder, file).Replace('\\', '/'), await File.ReadAllTextAsync(file, ct), keepEnd: true);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is ToolFailedException or ToolNotFoundException or ToolTimeoutException or IOException or UnauthorizedAccessException)
        {
            bundle.CouldNotRead("kind's logs", e is ToolFailedException failed ? $"`{failed.Command.Display}` failed: {failed.StandardErrorTail(3).Trim()}" : e.Message.Split('\n')[0]);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// After a failed Up or Verify: a bundle next to --report when it is given, else in .artifacts/diagnostics/, and
    /// its path printed. Taking it must not hide the failure: whatever goes wrong here is printed and the run fails as
    /// it would have. Ctrl+C takes none (the user asked to stop).
    /// </summary>
    public static async Task WriteAfterFailureAsync(BuildContext context, string step, Exception failure)
    {
        if (failure is OperationCanceledException || context.Cancellation.IsCancellationRequested) return;
        var folder = context.Options.ReportPath is { Length: > 0 } report
            ? Path.GetDirectoryName(Path.GetFullPath(report))!
            : DefaultFolder(context.Root);
        var at = DateTimeOffset.UtcNow;
        var path = Path.Combine(folder, context.Options.ReportPath is { Length: > 0 } ? "diagnostics-" + FileName(at) : FileName(at));
        try
        {
            var size = await WriteAsync(context, path, $"{step}: {failure.Message}", context.Cancellation);
            context.Console.MarkupLineInterpolated($"[yellow]{step} failed: a diagnostics bundle is in {path} ({Size(size)}); start with its index.md.[/]");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BuildFailure)
        {
            context.Console.MarkupLineInterpolated($"[yellow]No diagnostics bundle could be written to {path}: {e.Message}[/]");
        }
    }

    public static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.0} MB" : $"{Math.Max(1, bytes / 1024)} KB";
}
