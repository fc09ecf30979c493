using DataPlatform.Build.Frosting;
using DataPlatform.Build.Host;
using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Tests.Validation;

/// <summary>
/// PLATFORM_ACCESS and the PLATFORM_*_PORT variables, checked with everything else before the first task: each bad
/// value is reported at the line that set it (or as the environment's), naming the variable and what it takes.
/// </summary>
public sealed class PlatformValidatorAccessTests
{
    /// <summary>Only the problems about reaching the platform; the rest of the copied files are valid.</summary>
    static List<ConfigProblem> AccessProblems(string envLocal, Func<string, string?>? environment = null)
    {
        using var root = new ValidationRoot().Write(".env.local", envLocal);
        return root.Validate(environment).Where(p => p.Message.Contains("PLATFORM_")).ToList();
    }

    public static TheoryData<string, string, string> BadPortValues => new()
    {
        // .env.local line 2 sets the value; line 1 is a comment, so the line number is not trivially 1.
        { "PLATFORM_HTTP_PORT", "eighty", "not a TCP port" },
        { "PLATFORM_HTTPS_PORT", "0", "port 0" },
        { "PLATFORM_HTTPS_PORT", "65536", "above 65535" },
        { "PLATFORM_POSTGRES_PORT", "99999999999999999999", "above 65535" },
        { "PLATFORM_HTTP_PORT", "-80", "not negative" },
        { "PLATFORM_HTTP_PORT", "80 80", "not a TCP port" },
        { "PLATFORM_HTTP_PORT", "8080/tcp", "not a TCP port" },
        { "PLATFORM_POSTGRES_PORT", "", "is empty" },
    };

    [Theory]
    [MemberData(nameof(BadPortValues))]
    public void A_bad_port_value_is_reported_at_its_line_naming_the_variable_and_the_fix(string variable, string value, string why)
    {
        var problem = Assert.Single(AccessProblems($"# my ports\n{variable}={value}\n"));

        Assert.Equal((".env.local", 2), (problem.File, problem.Line));
        Assert.Contains(variable, problem.Message);
        Assert.Contains(why, problem.Message);
        Assert.Contains("from 1 to 65535", problem.Message);
        Assert.Contains("remove the line", problem.Message);
    }

    [Theory]
    [InlineData("8080")]
    [InlineData(" 8080 ")]
    [InlineData("1")]
    [InlineData("65535")]
    public void A_port_from_1_to_65535_passes_surrounding_spaces_and_all(string value) =>
        Assert.Empty(AccessProblems($"PLATFORM_HTTP_PORT={value}\n"));

    [Fact]
    public void A_value_exported_in_the_environment_is_named_as_the_environments_with_export_as_the_fix()
    {
        var problem = Assert.Single(AccessProblems("", key => key == "PLATFORM_HTTPS_PORT" ? "443x" : null));

        Assert.Equal(VariableSource.Environment, problem.File);
        Assert.Null(problem.Line);
        Assert.Contains("export PLATFORM_HTTPS_PORT=", problem.Message);
    }

    [Fact]
    public void Two_variables_on_one_port_are_reported_at_the_second_line_naming_both()
    {
        var problem = Assert.Single(AccessProblems("PLATFORM_HTTP_PORT=8080\nPLATFORM_HTTPS_PORT=8080\n"));

        Assert.Equal((".env.local", 2), (problem.File, problem.Line));
        Assert.Contains("PLATFORM_HTTP_PORT (.env.local:1) and PLATFORM_HTTPS_PORT are both 8080", problem.Message);
    }

    [Fact]
    public void A_moved_port_on_another_ports_default_names_the_default()
    {
        var problem = Assert.Single(AccessProblems("PLATFORM_POSTGRES_PORT=443\n"));

        Assert.Equal((".env.local", 1), (problem.File, problem.Line));
        Assert.Contains("PLATFORM_HTTPS_PORT (by default) and PLATFORM_POSTGRES_PORT are both 443", problem.Message);
    }

    [Fact]
    public void A_bad_value_is_reported_once_not_again_as_a_clash_with_the_default_it_stands_in_for()
    {
        // PLATFORM_POSTGRES_PORT is refused, so it is no port at all: 5432 below is no clash.
        var problem = Assert.Single(AccessProblems("PLATFORM_HTTPS_PORT=5432\nPLATFORM_POSTGRES_PORT=\n"));

        Assert.Equal((".env.local", 2), (problem.File, problem.Line));
        Assert.Contains("PLATFORM_POSTGRES_PORT is empty", problem.Message);
    }

    [Theory]
    [InlineData("PLATFORM_HTTPS_PROT", "PLATFORM_HTTPS_PORT")]
    [InlineData("PLATFORM_HTTP_POR", "PLATFORM_HTTP_PORT")]
    [InlineData("PLATFORM_POSTGRESS_PORT", "PLATFORM_POSTGRES_PORT")]
    [InlineData("PLATFORM_ACESS", "PLATFORM_ACCESS")]
    [InlineData("platform_access", "PLATFORM_ACCESS")]
    public void A_near_miss_key_is_named_as_a_typo_for_the_variable(string typo, string meant)
    {
        var problem = Assert.Single(AccessProblems($"{typo}=8443\n"));

        Assert.Equal((".env.local", 1), (problem.File, problem.Line));
        Assert.Contains($"{typo} is not a variable the build reads: is that a typo for {meant}?", problem.Message);
    }

    [Fact]
    public void The_real_variables_are_never_taken_for_typos_of_each_other()
    {
        // PLATFORM_HTTPS_PORT is one letter from PLATFORM_HTTP_PORT: setting only the first must not look like a typo.
        Assert.Empty(AccessProblems("PLATFORM_HTTPS_PORT=8443\n"));
        Assert.Empty(AccessProblems("PLATFORM_HTTP_PORT=8080\n"));
        Assert.Empty(AccessProblems("PLATFORM_ACCESS=published\nPLATFORM_HTTP_PORT=8080\nPLATFORM_HTTPS_PORT=8443\nPLATFORM_POSTGRES_PORT=15432\n"));
    }

    [Theory]
    [InlineData("auto", "is 'auto'")]
    [InlineData("publish", "is 'publish'")]
    [InlineData("", "is empty")]
    public void A_wrong_PLATFORM_ACCESS_is_reported_at_its_line_with_the_values_it_takes(string value, string named)
    {
        var problem = Assert.Single(AccessProblems($"PLATFORM_ACCESS={value}\n"));

        Assert.Equal((".env.local", 1), (problem.File, problem.Line));
        Assert.Contains($"PLATFORM_ACCESS {named}", problem.Message);
        Assert.Contains("PLATFORM_ACCESS=direct", problem.Message);
        Assert.Contains("PLATFORM_ACCESS=published", problem.Message);
    }

    [Theory]
    [InlineData("direct")]
    [InlineData("Published")]
    [InlineData(" published ")]
    public void The_access_modes_pass_in_any_case(string value) =>
        Assert.Empty(AccessProblems($"PLATFORM_ACCESS={value}\n"));

    [Fact]
    public void Every_problem_is_reported_in_one_pass()
    {
        var problems = AccessProblems("PLATFORM_ACCESS=auto\nPLATFORM_HTTP_PORT=0\nPLATFORM_HTTPS_PROT=8443\nPLATFORM_POSTGRES_PORT=x\n");

        Assert.Equal([1, 2, 3, 4], problems.Select(p => p.Line ?? 0).Order());
    }

    [Fact]
    public void The_validator_and_the_proxy_read_the_same_rules()
    {
        // The proxy's PublishedPorts.From fails on exactly what the validator reports, with the same words.
        var values = new Dictionary<string, string> { ["PLATFORM_HTTP_PORT"] = "8443", ["PLATFORM_HTTPS_PORT"] = "8443" };
        var error = Assert.Throws<BuildFailure>(() => PublishedPorts.From(values.GetValueOrDefault));
        var validated = Assert.Single(AccessProblems("", values.GetValueOrDefault));
        Assert.Equal(validated.ToString(), error.Message);
    }
}
