using System.Diagnostics;

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
    static readonly string Root = FindRoot();

    [RealDockerFact]
    public void Up_twice_then_Verify_then_Clean_twice_against_real_Docker()
    {
        var first = Build("--target=Up");
        Assert.True(first.ExitCode == 0, first.Output);

        var second = Build("--target=Up");
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("already exists", second.Output);          // the cluster is left alone
        Assert.DoesNotContain("kind create cluster", second.Output);

        var report = Path.Combine(Path.GetTempPath(), $"verify-{Guid.NewGuid():N}.xml");
        var verify = Build("--target=Verify", $"--report={report}");
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("<testsuite", File.ReadAllText(report));

        Assert.Equal(0, Build("--target=Clean").ExitCode);
        var again = Build("--target=Clean");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("nothing to remove", again.Output);
    }

    static (int ExitCode, string Output) Build(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Root, "build.sh")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "build.sh"))) return dir.FullName;
        throw new InvalidOperationException("build.sh not found above " + AppContext.BaseDirectory);
    }
}
