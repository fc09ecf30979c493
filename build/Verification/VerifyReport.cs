using System.Text.Json;
using System.Xml.Linq;

namespace DataPlatform.Build.Verification;

/// <summary>
/// The report CI reads: JUnit XML (one testcase per check, a failure element carrying the reason), or JSON
/// when the path ends in .json.
/// </summary>
public static class VerifyReport
{
    public static void Write(string path, string context, IReadOnlyList<CheckResult> results, TimeSpan elapsed)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory) Directory.CreateDirectory(directory);
        File.WriteAllText(path, path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? Json(context, results, elapsed) : JUnit(context, results, elapsed));
    }

    public static string JUnit(string context, IReadOnlyList<CheckResult> results, TimeSpan elapsed)
    {
        var failures = results.Count(r => !r.Passed);
        var suite = new XElement("testsuite",
            new XAttribute("name", $"verify {context}"),
            new XAttribute("tests", results.Count),
            new XAttribute("failures", failures),
            new XAttribute("errors", 0),
            new XAttribute("time", elapsed.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)),
            results.Select(r => new XElement("testcase",
                new XAttribute("classname", $"verify.{r.Category}"),
                new XAttribute("name", r.Name),
                r.Passed
                    ? new XElement("system-out", r.Detail)
                    : new XElement("failure", new XAttribute("message", r.Detail.Split('\n')[0].TrimEnd('\r')), r.Detail))));
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
            checks = results.Select(r => new { category = r.Category, name = r.Name, passed = r.Passed, detail = r.Detail }),
        }, new JsonSerializerOptions { WriteIndented = true });
}
