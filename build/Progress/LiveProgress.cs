using System.Diagnostics;
using Cake.Core.Diagnostics;
using Spectre.Console;

namespace DataPlatform.Build.Progress;

/// <summary>How progress is shown: a live table in a terminal, lines elsewhere (CI, pipes, TERM=dumb), nothing when quiet.</summary>
internal enum ProgressMode { Off, Lines, Table }

/// <summary>How often the cluster is read and how long a non-terminal run may go without a line.</summary>
internal sealed record ProgressTiming(TimeSpan Tick, TimeSpan Heartbeat)
{
    /// <summary>A read every 2 s at most, and a line at least every 15 s (the promise to a cold Up).</summary>
    public static readonly ProgressTiming Default = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));
}

/// <summary>
/// Shows what a long step is waiting for while it runs, beside it: it never runs a process, never holds the step up (its
/// reads run on their own, and a slow or failing read only shows as such) and stops when the step ends. In a terminal, a
/// Spectre live table (release, status, pods ready/total, time until ready); elsewhere one line whenever what it shows
/// changes, and at least every <see cref="ProgressTiming.Heartbeat"/>. The separator is ASCII on a terminal without
/// Unicode (<see cref="Frosting.AsciiTerminal"/>); colours follow the console, which honours NO_COLOR.
/// </summary>
internal sealed class LiveProgress : IAsyncDisposable
{
    readonly CancellationTokenSource _stop;
    readonly Task _loop;

    LiveProgress(CancellationTokenSource stop, Task loop) { _stop = stop; _loop = loop; }

    /// <summary>Lines unless the console is an interactive ANSI terminal (and TERM is not dumb); nothing at --verbosity=quiet.</summary>
    public static ProgressMode ModeFor(IAnsiConsole console, Verbosity verbosity, Func<string, string?> environment, bool tableAllowed = true)
    {
        if (verbosity == Verbosity.Quiet) return ProgressMode.Off;
        var terminal = console.Profile.Capabilities is { Interactive: true, Ansi: true } && environment("TERM") != "dumb";
        return terminal && tableAllowed ? ProgressMode.Table : terminal ? ProgressMode.Off : ProgressMode.Lines;
    }

    /// <summary>Starts showing progress; disposing it (when the step ends, however it ends) stops it.</summary>
    public static LiveProgress Start(string step, ProgressMode mode, Func<CancellationToken, Task<ProgressSnapshot>> read, IAnsiConsole console,
        ProgressTiming? timing = null, CancellationToken cancellation = default)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var shown = new Shown(step, console, timing ?? ProgressTiming.Default);
        var loop = mode switch
        {
            ProgressMode.Lines => Task.Run(() => shown.LinesAsync(read, stop.Token)),
            ProgressMode.Table => Task.Run(() => shown.TableAsync(read, stop.Token)),
            _ => Task.CompletedTask,
        };
        return new LiveProgress(stop, loop);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _loop; }
        catch (OperationCanceledException) { }
        catch (InvalidOperationException) { }   // Spectre refuses a second live display; progress is never worth failing the step
        _stop.Dispose();
    }

    sealed class Shown(string step, IAnsiConsole console, ProgressTiming timing)
    {
        readonly Stopwatch _clock = Stopwatch.StartNew();
        readonly Dictionary<string, TimeSpan> _readyAfter = [];
        Task<ProgressSnapshot>? _pending;
        ProgressSnapshot? _latest;

        string Separator => console.Profile.Capabilities.Unicode ? " · " : " - ";

        /// <summary>Starts a read when none is running, and takes the answer of the one that finished; never waits for one.</summary>
        void Poll(Func<CancellationToken, Task<ProgressSnapshot>> read, CancellationToken ct)
        {
            if (_pending is { IsCompleted: true } done)
            {
                if (done.IsCompletedSuccessfully) _latest = done.Result;
                _pending = null;
            }
            _pending ??= read(ct);
        }

        public async Task LinesAsync(Func<CancellationToken, Task<ProgressSnapshot>> read, CancellationToken ct)
        {
            string? lastSummary = null;
            var lastLine = TimeSpan.Zero;
            while (!ct.IsCancellationRequested)
            {
                Poll(read, ct);
                var summary = _latest?.Summary(Separator) ?? "reading the cluster";
                var now = _clock.Elapsed;
                // Printed on a change, and before the heartbeat is over (the tick is the granularity of this loop).
                if ((_latest is not null && summary != lastSummary) || now - lastLine + timing.Tick > timing.Heartbeat)
                {
                    // Straight to the output, whole: a CI log line is not wrapped at the console's assumed 80 columns.
                    console.Profile.Out.Writer.WriteLine(ProgressSnapshot.Line(step, now, summary, Separator));
                    lastSummary = summary;
                    lastLine = now;
                }
                await Task.Delay(timing.Tick, ct);
            }
        }

        public async Task TableAsync(Func<CancellationToken, Task<ProgressSnapshot>> read, CancellationToken ct)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumns("Release", "Status", "Pods ready", "Ready after");
            try
            {
                await console.Live(table).AutoClear(false).StartAsync(async live =>
                {
                    while (!ct.IsCancellationRequested)
                    {
                        Poll(read, ct);
                        Render(table);
                        live.Refresh();
                        await Task.Delay(timing.Tick, ct);
                    }
                });
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        }

        void Render(Table table)
        {
            table.Rows.Clear();
            var elapsed = _clock.Elapsed;
            if (_latest is null) table.Caption($"{step} {ProgressSnapshot.Clock(elapsed)}: reading the cluster");
            else if (_latest.Problem is { } problem) table.Caption($"{step} {ProgressSnapshot.Clock(elapsed)}: cluster not readable ({Markup.Escape(problem)})");
            else
            {
                foreach (var release in _latest.Releases)
                {
                    var id = $"{release.Namespace}/{release.Name}";
                    if (release.Ready) _readyAfter.TryAdd(id, elapsed);
                    var status = release.Status is null ? "[grey]not installed[/]"
                        : release.Ready ? "[green]ready[/]"
                        : release.Status == "deployed" ? "[yellow]deployed, pods starting[/]"
                        : $"[yellow]{Markup.Escape(release.Status)}[/]";
                    table.AddRow(new Text(release.Name), new Markup(status), new Text($"{release.PodsReady}/{release.PodsTotal}"),
                        new Text(_readyAfter.TryGetValue(id, out var after) ? ProgressSnapshot.Clock(after) : ""));
                }
                table.Caption($"{step} {ProgressSnapshot.Clock(elapsed)}: {_latest.Releases.Count(r => r.Ready)}/{_latest.Releases.Count} releases ready");
            }
        }
    }
}
