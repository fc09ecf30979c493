using Spectre.Console;

namespace DataPlatform.Build.Toolchain;

/// <summary>EnsureTools: every pinned tool is found, reused or installed, and reported (Docker is checked by Doctor, never installed).</summary>
internal static class ToolchainService
{
    public static async Task EnsureAsync(BuildContext context)
    {
        var pins = ToolPins.Load(Path.Combine(context.Root, ToolPins.FileName));
        var request = new ToolchainRequest(
            context.ToolsDirectory,
            context.HelmPluginsDirectory,
            Environment.GetEnvironmentVariable("PATH") ?? "",
            Environment.GetEnvironmentVariable(MirrorUrl.Variable),
            HostPlatform.Current(),
            context.Target.Context,
            context.Options.Plan,
            WithoutKind: context.Target.IsExisting);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(15) };
        var reports = await new ToolInstaller(context.Runner, context.Console, http, context.ToolVersions).EnsureAsync(pins, request, context.Cancellation);
        context.Console.Write(ReportTable(reports));
    }

    public static Table ReportTable(IEnumerable<ToolReport> reports)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("Tool", "Status", "Version", "Path");
        foreach (var report in reports)
        {
            var status = report.Status switch
            {
                ToolStatus.FoundOnPath => "[green]found on PATH[/]",
                ToolStatus.Cached => "[green]cached[/]",
                ToolStatus.Installed => "[green]installed[/]",
                _ => "[yellow]would install[/]",
            };
            table.AddRow(Markup.Escape(report.Tool), status, Markup.Escape(report.Version), Markup.Escape(report.Path));
        }
        return table;
    }
}
