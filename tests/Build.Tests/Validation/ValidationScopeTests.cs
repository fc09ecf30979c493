using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Validation;

namespace DataPlatform.Build.Tests.Validation;

/// <summary>Which problems in the platform's files stop which targets.</summary>
public class ValidationScopeTests
{
    static readonly ConfigProblem BrokenHelmfile = new("helmfile.yaml", 3, 5, "helmDefaults.kubeContext is 'kind-other'");
    static readonly ConfigProblem BrokenEnv = new(".env", 7, null, "line 7 is not KEY=value");
    static readonly ConfigProblem BrokenKindConfig = new("kind-config.yaml", null, null, "has no name");

    [Fact]
    public void Every_problem_is_listed_in_one_message_with_its_place()
    {
        var failure = Assert.Throws<BuildFailure>(() =>
            BuildLifetime.RequireValidConfiguration([BrokenHelmfile, BrokenEnv], ["EnsureTools", "CreateCluster", "Up"]));
        Assert.Contains("2 problems", failure.Message);
        Assert.Contains("helmfile.yaml:3:5: helmDefaults.kubeContext is 'kind-other'", failure.Message);
        Assert.Contains(".env:7: line 7 is not KEY=value", failure.Message);
    }

    [Fact]
    public void Clean_ignores_files_it_does_not_read() =>
        Assert.Empty(BuildLifetime.ProblemsFor([BrokenHelmfile, BrokenEnv], ["Clean"]));

    [Fact]
    public void Clean_removes_the_cluster_whatever_the_access_variables_say()
    {
        // Clean removes the proxy by its label, not by its ports: a bad port or mode, in a file or exported, must not keep it.
        ConfigProblem[] access =
        [
            new(VariableSource.Environment, null, null, "PLATFORM_HTTPS_PORT is 'x', which is not a TCP port"),
            new(".env.local", 2, null, "PLATFORM_ACCESS is 'auto', which is not an access mode"),
        ];
        Assert.Empty(BuildLifetime.ProblemsFor(access, ["Clean"]));
        Assert.Equal(access, BuildLifetime.ProblemsFor(access, ["Up"]));
    }

    [Fact]
    public void Clean_still_stops_on_a_broken_kind_config() =>
        Assert.Equal([BrokenKindConfig], BuildLifetime.ProblemsFor([BrokenHelmfile, BrokenKindConfig], ["Clean"]));

    [Fact]
    public void EnsureTools_alone_reads_only_the_pins_and_the_cluster_name() =>
        Assert.Equal([BrokenKindConfig], BuildLifetime.ProblemsFor([BrokenHelmfile, BrokenEnv, BrokenKindConfig], ["EnsureTools"]));

    [Theory]
    [InlineData("Verify")]
    [InlineData("PrintHosts")]
    [InlineData("EnsureTools", "CreateCluster")]
    [InlineData("Clean", "Verify")]
    public void Other_targets_stop_on_every_problem(params string[] tasks) =>
        Assert.Equal([BrokenHelmfile, BrokenEnv], BuildLifetime.ProblemsFor([BrokenHelmfile, BrokenEnv], tasks));

    [Fact]
    public void The_validator_finds_a_context_that_disagrees_with_the_cluster_name()
    {
        var root = Directory.CreateTempSubdirectory("data-platform-validate-").FullName;
        try
        {
            EndToEnd.FixturePlatform.WriteTo(root);
            File.Copy(Path.Combine(Platform.RepoRoot.Path, "tools.yaml"), Path.Combine(root, "tools.yaml"));
            var helmfile = Path.Combine(root, "helmfile.yaml");
            File.WriteAllText(helmfile, File.ReadAllText(helmfile).Replace("kubeContext: kind-data-platform", "kubeContext: kind-other"));
            Assert.Contains(PlatformValidator.Validate(root, _ => null),
                problem => Path.GetFileName(problem.File) == "helmfile.yaml" && problem.Message.Contains("kind-other"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
