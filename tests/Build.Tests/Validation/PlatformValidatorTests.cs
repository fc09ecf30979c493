using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Platform;
using DataPlatform.Build.Validation;

namespace DataPlatform.Build.Tests.Validation;

/// <summary>The validator as a whole: the clone's real files pass, one pass reports every file, and where each value came from.</summary>
public class PlatformValidatorTests
{
    [Fact]
    public void The_repository_files_have_no_problem() =>
        Assert.Empty(PlatformValidator.Validate(RepoRoot.Path, _ => null));

    [Fact]
    public void One_pass_reports_the_problems_of_every_file()
    {
        using var root = new ValidationRoot()
            .Write("kind-config.yaml", File.ReadAllText(RepoRoot.File("kind-config.yaml")).Replace("kind: Cluster", "kind: Clustr"))
            .Write("helmfile.yaml", File.ReadAllText(RepoRoot.File("helmfile.yaml")).Replace("- traefik/traefik", "- traefik/traefk"))
            .Write("gateway-api.yaml", "version: 1.5\nurl: https://example.test/{version}.yaml\n")
            .Write("tools.yaml", File.ReadAllText(RepoRoot.File("tools.yaml")).Replace($"version: {Toolchain.PinnedTools.Pins.Helmfile.Version}", "version: v1.7"))
            .Write(".env.local", "GLOBAL_DOMAIN=Data_Platform\n");
        var problems = root.Validate();
        Assert.Equal(["kind-config.yaml", "helmfile.yaml", "gateway-api.yaml", "tools.yaml", ".env.local"], problems.Select(p => p.File).Distinct());
        // Each release that needs it, as helmfile.yaml declares them.
        var needing = HelmfileSpec.Load(RepoRoot.File("helmfile.yaml")).Releases.Count(r => r.Needs.Contains("traefik/traefik"));
        Assert.True(needing > 0);
        Assert.Equal(needing, problems.Count(p => p.Message.Contains("'traefik/traefk'")));
    }

    [Fact]
    public void Values_each_under_the_one_variable_limit_that_together_pass_the_environment_limit_are_named_largest_first()
    {
        using var root = new ValidationRoot();
        // Each value fits in one environment string (128 KiB) and each file under the 1 MiB a platform file may hold; with
        // a shell that exports 300 KiB of its own, the child's environment passes Linux's 2 MiB.
        string Values(string prefix, int count) => string.Concat(Enumerable.Range(1, count).Select(i => $"{prefix}_{i:00}={new string('A', (i == 3 ? 125 : 100) * 1024)}\n"));
        root.Write(".env", File.ReadAllText(root.File(".env")) + Values("BIG", 9)).Write(".env.local", Values("LOCAL", 9));
        var lineOfBig03 = Array.FindIndex(File.ReadAllLines(root.File(".env")), l => l.StartsWith("BIG_03=")) + 1;

        Assert.Empty(root.Validate(inheritedBytes: 16 * 1024));
        var problem = Assert.Single(root.Validate(inheritedBytes: 300 * 1024));

        Assert.Equal(".env", problem.File);
        Assert.Contains("the values of .env and .env.local add up to 1850 KiB, and with this shell's own environment (300 KiB) pass the 2 MiB", problem.Message);
        Assert.Contains("The largest: ", problem.Message);
        Assert.Contains($"BIG_03 (125 KiB, .env:{lineOfBig03})", problem.Message);
        Assert.Contains("LOCAL_03 (125 KiB, .env.local:3)", problem.Message);
        Assert.DoesNotContain("AAAA", problem.Message);
    }

    [Fact]
    public void The_required_variables_come_from_the_templates()
    {
        using var root = new ValidationRoot();
        File.WriteAllText(root.File("values", "extra.yaml.gotmpl"), "a: 1\nhost: {{ requiredEnv \"EXTRA_HOST\" }}\n");
        var problem = Assert.Single(root.Validate());
        Assert.Equal(".env: EXTRA_HOST is not set, and values/extra.yaml.gotmpl:2 requires it: add `EXTRA_HOST=…` to .env (or .env.local, or export it).", problem.ToString());
    }

    [Fact]
    public void A_variable_the_build_computes_is_not_required_but_its_inputs_are()
    {
        using var root = new ValidationRoot();
        root.Write(".env", File.ReadAllText(root.File(".env")).Replace("REGISTRY_USER=registry", "REGISTRY_USER="));
        var problem = Assert.Single(root.Validate());
        Assert.Equal(".env", problem.File);
        Assert.Contains("REGISTRY_USER is empty, and the build computes REGISTRY_HTPASSWD", problem.Message);
        Assert.DoesNotContain(root.Validate(), p => p.Message.Contains("METALLB_IP_RANGE"));
    }

    [Fact]
    public void The_environment_wins_and_is_named_as_the_source()
    {
        using var root = new ValidationRoot().Write(".env.local", "GLOBAL_DOMAIN=Not Valid\n");
        // The process environment fixes what .env.local breaks.
        Assert.Empty(root.Validate(key => key == "GLOBAL_DOMAIN" ? "ok.internal" : null));

        var problems = root.Validate(key => key switch
        {
            "MINIO_SECRET_KEY" => "",
            "METALLB_IP_RANGE" => "1.2.3.4-",
            _ => null,
        });
        Assert.Contains(problems, p => p.ToString().StartsWith(".env.local:1: GLOBAL_DOMAIN 'Not Valid' is not a lowercase DNS name"));
        Assert.Contains(problems, p => p.ToString().StartsWith("environment: MINIO_SECRET_KEY is set but empty in the environment"));
        Assert.Contains(problems, p => p.ToString().StartsWith("environment: METALLB_IP_RANGE=1.2.3.4- has no end address after '-'"));
        Assert.Equal(3, problems.Count);
    }

    [Theory]
    [InlineData("data-platform.internal", null)]
    [InlineData("a.b", null)]
    [InlineData("x-1.example", null)]
    [InlineData("My Platform.Internal.", "my-platform.internal")]
    [InlineData("Data_Platform.internal", "data-platform.internal")]
    [InlineData("https://data-platform.internal/", "data-platform.internal")]
    [InlineData("*.data-platform.internal", "data-platform.internal")]
    [InlineData("-edge-.internal", "edge.internal")]
    [InlineData("a..b", "a.b")]
    public void GLOBAL_DOMAIN_is_a_lowercase_DNS_name_or_a_fix_is_suggested(string domain, string? suggestion)
    {
        using var root = new ValidationRoot().Write(".env.local", $"GLOBAL_DOMAIN={domain}\n");
        var problems = root.Validate();
        if (suggestion is null)
        {
            Assert.Empty(problems);
            return;
        }
        var problem = Assert.Single(problems);
        Assert.Equal((".env.local", 1), (problem.File, problem.Line));
        Assert.EndsWith($"Use GLOBAL_DOMAIN={suggestion}", problem.Message);
    }

    [Fact]
    public void A_label_longer_than_63_characters_is_refused()
    {
        using var root = new ValidationRoot().Write(".env.local", $"GLOBAL_DOMAIN={new string('a', 64)}.internal\n");
        Assert.Contains("a label is longer than 63 characters", Assert.Single(root.Validate()).Message);
    }

    [Fact]
    public void Every_bad_env_line_is_reported_in_one_pass_without_its_value()
    {
        const string text = "GLOBAL_DOMAIN: x.internal\nREGISTRY_PASSWORD: topsecret1\nMINIO_SECRET_KEY=\"unterminated-secret\nexport\n";
        using var root = new ValidationRoot().Write(".env.local", text);
        var problems = root.Validate().Where(p => p.File == ".env.local").ToList();
        Assert.Equal([1, 2, 3, 4], problems.Select(p => p.Line));
        Assert.Contains("REGISTRY_PASSWORD is written with ':'", problems[1].Message);
        NoLeaks.Assert(root.Validate(), ["topsecret1", "unterminated-secret"]);
    }
}

public class PlatformValidatorHintTests
{
    [Fact]
    public void A_misspelt_key_is_pointed_at_when_the_right_one_is_missing()
    {
        using var root = new ValidationRoot();
        root.Write(".env", File.ReadAllText(root.File(".env")).Replace("GLOBAL_DOMAIN=", "GLOBAL_DOMIAN="));
        var problem = Assert.Single(root.Validate());
        Assert.StartsWith(".env: GLOBAL_DOMAIN is not set", problem.ToString());
        Assert.Matches(@"\.env:\d+ sets GLOBAL_DOMIAN: is that a typo for GLOBAL_DOMAIN\?$", problem.Message);
    }

    [Fact]
    public void Check_throws_every_problem_in_one_message_and_passes_silently_on_the_real_files()
    {
        PlatformValidator.Check(Platform.RepoRoot.Path, _ => null);
        using var root = new ValidationRoot().Write("gateway-api.yaml", "version: 1\n").Write(".env.local", "GLOBAL_DOMAIN=A B\n");
        var error = Assert.Throws<DataPlatform.Build.Platform.ConfigFileException>(() => PlatformValidator.Check(root.Path, _ => null));
        var lines = error.Message.Split(Environment.NewLine);
        Assert.Equal(3, lines.Length); // version, url, GLOBAL_DOMAIN
        Assert.StartsWith("gateway-api.yaml:1:10: version '1'", lines[0]);
        Assert.StartsWith(".env.local:1: GLOBAL_DOMAIN 'A B'", lines[2]);
    }
}
