using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using Spectre.Console;

namespace DataPlatform.Build.Verify;

/// <summary>
/// The report CI reads: JUnit XML (one testcase per check, a failure element carrying the reason), or JSON
/// when the path ends in .json. It is written on every way out of a run given --report: Verify's verdict, or,
/// when Verify could not finish or never started, the checks done so far plus one failing testcase saying why.
/// </summary>
internal static partial class VerifyReport
{
    /// <summary>The category of the testcase that says why Verify did not complete.</summary>
    public const string Incomplete = "run";

    public static void Write(string path, string context, IReadOnlyList<CheckResult> results, TimeSpan elapsed)
    {
        if (PathProblem(path) is { } problem) throw new BuildFailure(problem);
        var content = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? Json(context, results, elapsed) : JUnit(context, results, elapsed);
        var full = Path.GetFullPath(path);
        var temporary = "";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            // Written aside, then moved over: a reader never sees half a report, and a failed write leaves the old one.
            temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
            File.WriteAllText(temporary, content);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (temporary.Length > 0) try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new BuildFailure($"--report={path}: the report cannot be written there ({e.Message}). Give a file path in a directory you can write to.", e);
        }
    }

    /// <summary>
    /// Why --report=&lt;path&gt; cannot take a report, or null: for the up-front validation of the options, so that Up does
    /// not run for minutes before finding out. Whether the directory is writable is only known by writing.
    /// </summary>
    public static string? PathProblem(string? path)
    {
        const string Example = "e.g. --report=artifacts/verify.xml (a path ending in .json gives JSON)";
        if (string.IsNullOrWhiteSpace(path)) return $"--report is empty: give the report's file path, {Example}.";
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return $"--report={path} is a directory: give a file path inside it, {Example}.";
        for (var parent = Path.GetDirectoryName(full); parent is not null; parent = Path.GetDirectoryName(parent))
            if (File.Exists(parent)) return $"--report={path}: {parent} is a file, not a directory. Give another path, {Example}.";
        return null;
    }

    /// <summary>The report of a Verify that could not complete: the checks done so far, then one failing testcase with the reason.</summary>
    public static void WriteIncomplete(string path, string? context, string reason, IReadOnlyList<CheckResult> resultsSoFar, TimeSpan elapsed) =>
        Write(path, context ?? UnknownContext, [.. resultsSoFar, IncompleteRun(context, reason)], elapsed);

    public static CheckResult IncompleteRun(string? context, string reason) =>
        CheckResult.Fail(Incomplete, $"verify {context ?? UnknownContext}",
            context is null ? $"Verify did not complete (the platform's context is unknown: kind-config.yaml could not be read): {reason}"
                            : $"Verify did not complete on context {context}: {reason}");

    const string UnknownContext = "(unknown context)";

    /// <summary>
    /// The host calls this when a run fails, with the message it printed. A run given --report always leaves one: when
    /// this run has not written it yet (Verify failed before its checks, or never started: bad option, bad YAML, missing
    /// context, Docker down, Ctrl+C during an earlier step), it writes the failing testcase with that message. A report
    /// this run already wrote (Verify's own verdict, pass or fail) is kept.
    /// </summary>
    internal static void WriteAfterFailedRun(string? reportPath, BuildContext? context, string reason)
    {
        if (reportPath is not { Length: > 0 } path || WrittenByThisRun(path)) return;
        var console = context?.Console ?? AnsiConsole.Console;
        try { WriteIncomplete(path, ContextName(context), reason, [], TimeSpan.Zero); }
        catch (BuildFailure e) { console.WriteLine(e.Message); }
    }

    static bool WrittenByThisRun(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) return false;
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return File.GetLastWriteTimeUtc(full) >= self.StartTime.ToUniversalTime();
    }

    /// <summary>The platform's context, read from kind-config.yaml as the build does; null when that file is the problem.</summary>
    static string? ContextName(BuildContext? context)
    {
        try
        {
            if (context is not null) return context.Target.Context;
            var root = Environment.GetEnvironmentVariable("DATA_PLATFORM_ROOT") is { Length: > 0 } set ? set : Directory.GetCurrentDirectory();
            return KindConfig.Load(Path.Combine(root, "kind-config.yaml")).ContextName;
        }
        catch (Exception e) when (e is ConfigFileException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string JUnit(string context, IReadOnlyList<CheckResult> results, TimeSpan elapsed)
    {
        var failures = results.Count(r => !r.Passed);
        var suite = new XElement("testsuite",
            new XAttribute("name", Printable($"verify {context}")),
            new XAttribute("tests", results.Count),
            new XAttribute("failures", failures),
            new XAttribute("errors", 0),
            new XAttribute("time", elapsed.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)),
            results.Select(r => new XElement("testcase",
                new XAttribute("classname", $"verify.{r.Category}"),
                new XAttribute("name", Printable(r.Name)),
                r.Passed
                    ? new XElement("system-out", Printable(r.Detail))
                    : new XElement("failure", new XAttribute("message", Printable(FirstLine(r.Detail))), Printable(r.Detail)))));
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement("testsuites", new XAttribute("tests", results.Count), new XAttribute("failures", failures), suite));
        return document.Declaration + Environment.NewLine + document;
    }

    public static string Json(string context, IReadOnlyList<CheckResult> results, TimeSpan elapsed) =>
        JsonSerializer.Serialize(new
        {
            context,
            passed = results.All(r => r.Passed),
            seconds = Math.Round(elapsed.TotalSeconds, 3),
            checks = results.Select(r => new { category = r.Category, name = Printable(r.Name), passed = r.Passed, detail = Printable(r.Detail) }),
        }, new JsonSerializerOptions { WriteIndented = true });

    static string FirstLine(string text) => text.Split('\n')[0].TrimEnd('\r');

    /// <summary>
    /// A reason may quote a tool's output: terminal colour codes are dropped, and so is any other character XML 1.0
    /// cannot hold (the XML writer would refuse the whole report for one of them).
    /// </summary>
    static string Printable(string text) =>
        string.Concat(AnsiEscape().Replace(text, "").Where(c => XmlConvert.IsXmlChar(c) || char.IsSurrogate(c)));

    [GeneratedRegex(@"\x1b\[[0-9;?]*[ -/]*[@-~]")]
    private static partial Regex AnsiEscape();
}
