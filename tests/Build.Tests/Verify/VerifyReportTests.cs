using System.Text.Json;
using System.Xml.Linq;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Verify;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>The report file itself: valid whatever a reason quotes, written whole or not at all, kept when this run wrote it.</summary>
public sealed class VerifyReportTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("verify-report-unit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_reason_quoting_coloured_tool_output_and_control_characters_still_gives_valid_XML_and_JSON()
    {
        var reason = "helm failed:\n\u001b[31mError:\u001b[0m UPGRADE FAILED\u0007 <release> & \"quotes\"";
        var xml = Path.Combine(_dir, "verify.xml");
        var json = Path.Combine(_dir, "verify.json");

        VerifyReport.WriteIncomplete(xml, "kind-data-platform", reason, [], TimeSpan.FromSeconds(1));
        VerifyReport.WriteIncomplete(json, "kind-data-platform", reason, [], TimeSpan.FromSeconds(1));

        var failure = XDocument.Load(xml).Descendants("failure").Single();
        Assert.Contains("Error: UPGRADE FAILED <release> & \"quotes\"", failure.Value);
        Assert.Equal("Verify did not complete on context kind-data-platform: helm failed:", failure.Attribute("message")!.Value);
        var detail = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("checks")[0].GetProperty("detail").GetString();
        Assert.Contains("Error: UPGRADE FAILED <release>", detail);
        Assert.DoesNotContain('\u001b', detail!);
    }

    [Fact]
    public void An_unknown_context_is_said_so_rather_than_left_blank()
    {
        var xml = Path.Combine(_dir, "verify.xml");

        VerifyReport.WriteIncomplete(xml, null, "kind-config.yaml: has no name", [], TimeSpan.Zero);

        var suite = XDocument.Load(xml).Root!.Element("testsuite")!;
        Assert.Equal("verify (unknown context)", suite.Attribute("name")!.Value);
        Assert.Contains("context is unknown", suite.Element("testcase")!.Element("failure")!.Value);
    }

    [Fact]
    public void A_report_path_that_is_a_directory_fails_naming_the_option_and_leaves_no_temporary_file()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_dir, "reports")).FullName;

        var failure = Assert.Throws<BuildFailure>(() => VerifyReport.Write(directory, "kind-data-platform", [], TimeSpan.Zero));

        Assert.StartsWith($"--report={directory} is a directory", failure.Message);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_dir), p => p != directory);
    }

    [Theory]
    [InlineData("", "--report is empty")]
    [InlineData("  ", "--report is empty")]
    [InlineData("{dir}", "is a directory")]
    [InlineData("{dir}/a-file/verify.xml", "a-file is a file, not a directory")]
    public void A_report_path_that_cannot_take_a_file_is_refused_naming_the_option(string path, string problem)
    {
        File.WriteAllText(Path.Combine(_dir, "a-file"), "");

        var message = VerifyReport.PathProblem(path.Replace("{dir}", _dir));

        Assert.NotNull(message);
        Assert.StartsWith("--report", message);
        Assert.Contains(problem, message);
    }

    [Fact]
    public void A_report_path_in_a_directory_yet_to_be_made_is_accepted() =>
        Assert.Null(VerifyReport.PathProblem(Path.Combine(_dir, "ci", "reports", "verify.xml")));

    [Fact]
    public void After_a_failed_run_a_report_this_run_already_wrote_is_kept()
    {
        var xml = Path.Combine(_dir, "verify.xml");
        VerifyReport.Write(xml, "kind-data-platform", [CheckResult.Pass(Categories.Platform, "gateway traefik/traefik-gateway")], TimeSpan.Zero);
        var verdict = File.ReadAllText(xml);

        VerifyReport.WriteAfterFailedRun(xml, null, "PrintHosts failed after Verify passed");

        Assert.Equal(verdict, File.ReadAllText(xml));
    }

    [Fact]
    public void After_a_failed_run_a_report_left_by_an_earlier_run_is_replaced()
    {
        var xml = Path.Combine(_dir, "verify.xml");
        VerifyReport.Write(xml, "kind-data-platform", [CheckResult.Pass(Categories.Platform, "gateway traefik/traefik-gateway")], TimeSpan.Zero);
        File.SetLastWriteTimeUtc(xml, DateTime.UtcNow.AddDays(-1));

        VerifyReport.WriteAfterFailedRun(xml, null, "Docker is not running");

        var testcase = Assert.Single(XDocument.Load(xml).Descendants("testcase"));
        Assert.Equal("verify.run", testcase.Attribute("classname")!.Value);
        Assert.Contains("Docker is not running", testcase.Element("failure")!.Value);
    }
}
