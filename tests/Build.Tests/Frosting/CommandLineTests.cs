using System.Text.RegularExpressions;
using Cake.Core;
using Cake.Core.Diagnostics;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Tests.Platform;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.Frosting;

/// <summary>The options table: parsing, every check, and the README kept in step with it.</summary>
public class CommandLineTests
{
    static CommandLine Parse(params string[] args) => CommandLine.Parse(args, OptionTable.All);

    static string Refusal(params string[] args) => Assert.Throws<CommandLineException>(() => Parse(args)).Message;

    [Theory]
    [InlineData("--pln", "unknown option --pln: did you mean --plan?")]
    [InlineData("--tagret=Clean", "unknown option --tagret: did you mean --target?")]
    [InlineData("--exclusiv", "unknown option --exclusiv: did you mean --exclusive?")]
    [InlineData("--helmfile-attempt=2", "unknown option --helmfile-attempt: did you mean --helmfile-attempts?")]
    [InlineData("--hostsfile=/etc/hosts", "unknown option --hostsfile: did you mean --hosts-file?")]
    [InlineData("--verbose", "unknown option --verbose: did you mean --verbosity?")]
    public void An_unknown_option_is_refused_with_the_closest_known_one(string arg, string message) =>
        Assert.Equal(message, Refusal(arg));

    [Fact]
    public void An_unknown_option_far_from_any_known_one_gets_no_guess() =>
        Assert.Equal("unknown option --zzzzzz", Refusal("--zzzzzz"));

    [Fact]
    public void The_value_after_an_unknown_option_is_not_reported_as_a_second_mistake() =>
        Assert.Equal("unknown option --tagret: did you mean --target?", Refusal("--tagret", "Clean"));

    [Theory]
    [InlineData("--helmfile-attempts=0", "--helmfile-attempts must be a whole number from 1 to 10, got '0'.")]
    [InlineData("--helmfile-attempts=11", "--helmfile-attempts must be a whole number from 1 to 10, got '11'.")]
    [InlineData("--helmfile-attempts=2.5", "--helmfile-attempts must be a whole number from 1 to 10, got '2.5'.")]
    [InlineData("--helmfile-attempts=99999999999", "--helmfile-attempts must be a whole number from 1 to 10, got '99999999999'.")]
    [InlineData("--timeout=1e20", "--timeout must be a number of seconds from 0 to 86400, got '1e20'.")]
    [InlineData("--timeout=abc", "--timeout must be a number of seconds from 0 to 86400, got 'abc'.")]
    [InlineData("--timeout=NaN", "--timeout must be a number of seconds from 0 to 86400, got 'NaN'.")]
    [InlineData("--timeout=Infinity", "--timeout must be a number of seconds from 0 to 86400, got 'Infinity'.")]
    [InlineData("--timeout=-1", "--timeout must be a number of seconds from 0 to 86400, got '-1'.")]
    [InlineData("--retry-delay=-1", "--retry-delay must be a number of seconds from 0 to 60, got '-1'.")]
    [InlineData("--retry-delay=61", "--retry-delay must be a number of seconds from 0 to 60, got '61'.")]
    [InlineData("--lock-wait=-5", "--lock-wait must be a number of seconds from 0 to 86400, got '-5'.")]
    [InlineData("--verbosity=loud", "--verbosity must be one of quiet, minimal, normal, verbose, diagnostic, got 'loud'.")]
    [InlineData("--verbosity=diagnositc", "--verbosity must be one of quiet, minimal, normal, verbose, diagnostic (did you mean diagnostic?), got 'diagnositc'.")]
    public void A_value_out_of_range_names_the_option_and_what_it_accepts(string arg, string message) =>
        Assert.Equal(message, Refusal(arg));

    [Fact]
    public void A_negative_number_after_a_space_is_a_value_so_the_range_check_names_it() =>
        Assert.Equal("--retry-delay must be a number of seconds from 0 to 60, got '-1'.", Refusal("--retry-delay", "-1"));

    [Theory]
    [InlineData("--helmfile-attempts=1", 1)]
    [InlineData("--helmfile-attempts=10", 10)]
    public void The_ends_of_a_range_are_accepted(string arg, int attempts) =>
        Assert.Equal(attempts, Parse(arg).Get(OptionTable.HelmfileAttempts));

    [Theory]
    [InlineData("--timeout=0", 0)]
    [InlineData("--timeout=86400", 86400)]
    [InlineData("--timeout=0.5", 0.5)]
    [InlineData("--retry-delay=60", 60)]
    public void Seconds_may_be_fractional_within_their_range(string arg, double seconds)
    {
        var option = arg.StartsWith("--timeout") ? OptionTable.Timeout : OptionTable.RetryDelay;
        Assert.Equal(TimeSpan.FromSeconds(seconds), Parse(arg).Get(option));
    }

    [Fact]
    public void Defaults_apply_when_an_option_is_not_given()
    {
        var options = BuildOptions.Defaults;
        Assert.False(options.Plan);
        Assert.Equal(4, options.HelmfileRetry.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(15), options.HelmfileRetry.FirstDelay);
        Assert.Equal(TimeSpan.FromSeconds(600), options.VerifyTimeout);
        Assert.Null(options.ReportPath);
        Assert.Null(options.HostsFile);
        Assert.Equal("Up", Parse().Get(OptionTable.Target));
        Assert.Equal(Verbosity.Normal, Parse().Get(OptionTable.Verbosity));
    }

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--plan" }, true)]
    [InlineData(new[] { "--plan=true" }, true)]
    [InlineData(new[] { "--plan=TRUE" }, true)]
    [InlineData(new[] { "--plan=false" }, false)]
    [InlineData(new[] { "-plan" }, true)]
    public void A_switch_reads_the_same_way_everywhere(string[] args, bool expected)
    {
        Assert.Equal(expected, Parse(args).Get(OptionTable.Plan));
        // Cake's own switches are read by the same code.
        Assert.Equal(expected, Parse(args.Select(a => a.Replace("plan", "exclusive")).ToArray()).Get(OptionTable.Exclusive));
    }

    [Theory]
    [InlineData("--plan=maybe")]
    [InlineData("--plan=")]
    [InlineData("--plan=1")]
    [InlineData("--dryrun=yes")]
    public void A_switch_refuses_any_other_value(string arg) =>
        Assert.Matches(@"^--\w+ is a switch: write --\w+, --\w+=true or --\w+=false, got '.*'\.$", Refusal(arg));

    [Theory]
    [InlineData("--hosts-file")]
    [InlineData("--hosts-file=")]
    [InlineData("--report=")]
    [InlineData("--target=")]
    [InlineData("--timeout")]
    public void An_option_that_needs_a_value_refuses_none(string arg) =>
        Assert.Matches(@"^--[\w-]+ needs a value: --[\w-]+=<\w+>\.$", Refusal(arg));

    [Fact]
    public void The_next_option_is_not_taken_as_a_value()
    {
        Assert.Equal("--hosts-file needs a value: --hosts-file=<path>.", Refusal("--hosts-file", "--plan"));
    }

    [Fact]
    public void A_value_may_follow_after_a_space_as_with_Cake()
    {
        var line = Parse("--target", "Clean", "--verbosity", "diagnostic", "--report", "out.xml");
        Assert.Equal("Clean", line.Get(OptionTable.Target));
        Assert.Equal(Verbosity.Diagnostic, line.Get(OptionTable.Verbosity));
        Assert.Equal("out.xml", line.Get(OptionTable.Report));
        Assert.Equal("out.xml", line.CakeArguments.GetArgument("report"));
    }

    [Theory]
    [InlineData("-t=Clean")]
    [InlineData("-T=Clean")]
    [InlineData("--TARGET=Clean")]
    public void Cakes_aliases_and_any_case_are_understood(string arg) => Assert.Equal("Clean", Parse(arg).Get(OptionTable.Target));

    [Theory]
    [InlineData("--noop")]
    [InlineData("--whatif")]
    public void Cakes_dry_run_aliases_are_understood(string arg) => Assert.True(Parse(arg).Get(OptionTable.DryRun));

    [Fact]
    public void A_report_path_that_is_a_directory_is_refused()
    {
        var directory = Directory.CreateTempSubdirectory("data-platform-report-").FullName;
        try
        {
            Assert.Equal($"--report must name a file, not a directory, got '{directory}'.", Refusal($"--report={directory}"));
            Assert.Contains("must name a file, not a directory", Refusal($"--hosts-file={directory}/"));
        }
        finally { Directory.Delete(directory); }
    }

    [Fact]
    public void A_report_path_below_a_file_is_refused()
    {
        var file = Path.GetTempFileName();
        try
        {
            Assert.Equal($"--report names a path under {file}, which is a file, not a directory, got '{file}/sub/report.xml'.",
                Refusal($"--report={file}/sub/report.xml"));
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void A_report_path_in_a_folder_yet_to_be_made_is_accepted() =>
        Assert.Equal("artifacts/new/verify.xml", Parse("--report=artifacts/new/verify.xml").Get(OptionTable.Report));

    [Fact]
    public void Every_mistake_on_the_line_is_reported_at_once()
    {
        var problems = Assert.Throws<CommandLineException>(() => Parse("--pln", "--timeout=abc", "Up", "--hosts-file")).Problems;
        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("--pln"));
        Assert.Contains(problems, p => p.Contains("--timeout"));
        Assert.Contains(problems, p => p.Contains("unexpected argument 'Up'"));
        Assert.Contains(problems, p => p.Contains("--hosts-file needs a value"));
    }

    [Fact]
    public void An_option_given_twice_with_different_values_is_refused() =>
        Assert.Equal("--target is given twice ('Up' and 'Clean'): give it once.", Refusal("--target=Up", "--target=Clean"));

    [Fact]
    public void An_option_repeated_with_the_same_value_is_harmless() =>
        Assert.True(Parse("--plan", "--plan=true").Get(OptionTable.Plan));

    [Theory]
    [InlineData("pln", "plan")]
    [InlineData("tagret", "target")]
    [InlineData("exclu", "exclusive")]
    [InlineData("Upp", "Up")]
    [InlineData("clean", "Clean")]
    [InlineData("Verfiy", "Verify")]
    [InlineData("xyz", null)]
    public void Suggestions_pick_the_likely_intent(string typed, string? expected) =>
        Assert.Equal(expected, Suggestion.Closest(typed, ["plan", "target", "exclusive", "Up", "Clean", "Verify", "tree"]));

    [Fact]
    public void Option_names_and_aliases_are_unique() =>
        Assert.Equal(OptionTable.All.SelectMany(o => o.Aliases.Prepend(o.Name)).Count(),
            OptionTable.All.SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct(StringComparer.OrdinalIgnoreCase).Count());

    [Fact]
    public void Help_lists_every_option_with_its_rule()
    {
        var console = new TestConsole { Profile = { Width = 400 } };
        Help.Print(console, []);
        foreach (var option in OptionTable.All)
        {
            Assert.Contains(option.Usage, console.Output);
            if (option.Rule is { } rule) Assert.Contains(rule, console.Output);
        }
    }

    [Fact]
    public void The_READMEs_Options_table_is_the_declared_table()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot.Path, "README.md")).ReplaceLineEndings("\n");
        var section = Regex.Match(readme, @"\n## Options\n\n(?<table>(?:\|[^\n]*\n)+)");
        Assert.True(section.Success, "README.md has no '## Options' section starting with a table");
        var expected = OptionTable.Markdown();
        Assert.True(section.Groups["table"].Value.TrimEnd('\n') == expected,
            $"README.md's Options table differs from the options the build declares (build/BuildOptions.cs). Replace it with:\n{expected}");
    }
}
