using DataPlatform.Build.Frosting;
using Spectre.Console;

namespace DataPlatform.Build.Diagnostics;

[TaskName("Diagnose")]
[TaskDescription("Writes a diagnostics bundle (.tar.gz, secrets masked, at most 20 MB) to .artifacts/diagnostics/ or --output: versions, Doctor's report, nodes, events, each unready pod's description and logs, helm's release statuses, the applied record, the hosts block, kind's logs, and an index.md saying what failed first. Reads only; Up and Verify write one when they fail.")]
internal sealed class DiagnoseTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var path = context.Options.DiagnosticsOutput
            ?? Path.Combine(DiagnosticsService.DefaultFolder(context.Root), DiagnosticsService.FileName(DateTimeOffset.UtcNow));
        var size = await DiagnosticsService.WriteAsync(context, path, failure: null, context.Cancellation);
        context.Console.MarkupLineInterpolated($"Diagnostics bundle: [bold]{path}[/] ({DiagnosticsService.Size(size)}); start with its index.md.");
    }
}
