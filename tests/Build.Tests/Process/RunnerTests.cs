using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using k8s.Models;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.Process;

public class RunnerTests
{
    [Fact]
    public void Secrets_are_masked_longest_first()
    {
        var mask = new SecretMask(() => ["pass", "password1"]);
        Assert.Equal("user=*** and ***", mask.Apply("user=password1 and pass"));
    }

    [Fact]
    public async Task Plan_runs_queries_and_only_prints_changes()
    {
        var inner = new RecordingRunner();
        var console = new TestConsole();
        var plan = new PlanningRunner(inner, console, SecretMask.None);
        await plan.RunAsync(Kind.GetClustersCommand());
        await plan.RunAsync(Kind.CreateClusterCommand("/repo/kind-config.yaml", "data-platform"));
        Assert.Equal(["get", "clusters"], Assert.Single(inner.Commands).Arguments);
        Assert.Contains("would run kind create cluster --name data-platform --config /repo/kind-config.yaml", System.Text.RegularExpressions.Regex.Replace(console.Output, @"\s+", " "));
    }

    [Fact]
    public async Task The_real_runner_reports_the_command_exit_code_and_stderr_tail()
    {
        // A real child process (sh), not a stand-in: the runner's own behaviour is what is tested here.
        var runner = new CliToolRunner(new TestConsole(), new SecretMask(() => ["hunter22"]), echoQueries: false);
        var command = new ToolCommand("sh", ["-c", "echo started; echo \"bad password hunter22\" >&2; exit 3"]);
        var error = await Assert.ThrowsAsync<ToolFailedException>(() => runner.RunAsync(command));
        Assert.Equal(3, error.Result.ExitCode);
        Assert.Contains("bad password ***", error.StandardErrorTail());
        Assert.DoesNotContain("hunter22", error.StandardErrorTail());
    }

    [Fact]
    public async Task Child_environment_carries_values_without_argv()
    {
        var runner = new CliToolRunner(new TestConsole(), SecretMask.None, echoQueries: false);
        var result = await runner.RunAsync(new ToolCommand("sh", ["-c", "printf %s \"$SECRET_VALUE\""]) { Environment = new Dictionary<string, string> { ["SECRET_VALUE"] = "xyz" } });
        Assert.Equal("xyz", result.StandardOutput);
    }

    [Fact]
    public async Task A_missing_program_says_how_to_get_it()
    {
        var runner = new CliToolRunner(new TestConsole(), SecretMask.None, echoQueries: false);
        var error = await Assert.ThrowsAsync<ToolNotFoundException>(() => runner.RunAsync(new ToolCommand("no-such-tool-xyz", [])));
        Assert.Contains("EnsureTools", error.Message);
    }
}
