using CliWrap;
using CliWrap.Buffered;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.RealDocker;

/// <summary>Runs only where DATA_PLATFORM_REAL_DOCKER=1: a machine with Docker and internet (the GitHub workflow, a laptop).</summary>
public sealed class RealDockerFactAttribute : FactAttribute
{
    public RealDockerFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("DATA_PLATFORM_REAL_DOCKER") != "1")
            Skip = "opt-in: set DATA_PLATFORM_REAL_DOCKER=1 on a machine with Docker and internet (brings the real platform up, then removes it)";
    }
}

/// <summary>The real thing, no stand-ins: real Docker, kind, helm and helmfile, against a real cluster.</summary>
[Trait("Category", "RealDocker")]
public class RealDockerTests
{
    [RealDockerFact]
    public async Task Up_twice_then_Verify_then_Clean_twice_against_real_Docker()
    {
        var first = await BuildAsync("--target=Up");
        Assert.True(first.ExitCode == 0, first.Output);

        var second = await BuildAsync("--target=Up");
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("already exists", second.Output);          // the cluster is left alone
        Assert.DoesNotContain("kind create cluster", second.Output);

        var report = Path.Combine(Path.GetTempPath(), $"verify-{Guid.NewGuid():N}.xml");
        var verify = await BuildAsync("--target=Verify", $"--report={report}");
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("<testsuite", File.ReadAllText(report));

        // Published mode, as Docker Desktop, WSL2 and rootless Docker run it, forced on this machine on moved ports:
        // Up creates the access proxy and Verify's probes go through 127.0.0.1.
        var publishedReport = Path.Combine(Path.GetTempPath(), $"verify-published-{Guid.NewGuid():N}.xml");
        var published = await BuildAsync(["--target=Up", $"--report={publishedReport}"], new()
        {
            ["PLATFORM_ACCESS"] = "published", ["PLATFORM_HTTP_PORT"] = "8080", ["PLATFORM_HTTPS_PORT"] = "8443", ["PLATFORM_POSTGRES_PORT"] = "15432",
        });
        Assert.True(published.ExitCode == 0, published.Output);
        Assert.Contains("Started access proxy", published.Output);
        Assert.Contains("127.0.0.1:8443", published.Output);
        Assert.Contains("<testsuite", File.ReadAllText(publishedReport));

        Assert.Equal(0, (await BuildAsync("--target=Clean")).ExitCode);
        var again = await BuildAsync("--target=Clean");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("nothing to remove", again.Output);
    }

    /// <summary>./build.sh with the machine's own environment: this test runs the real tools a user has.</summary>
    static Task<(int ExitCode, string Output)> BuildAsync(params string[] args) => BuildAsync(args, []);

    /// <summary>The same, with variables exported on top (as a user's `export PLATFORM_ACCESS=…`).</summary>
    static async Task<(int ExitCode, string Output)> BuildAsync(string[] args, Dictionary<string, string?> exported)
    {
        var result = await Cli.Wrap(RepoRoot.File("build.sh")).WithArguments(args).WithEnvironmentVariables(exported)
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        return (result.ExitCode, result.StandardOutput + result.StandardError);
    }
}
