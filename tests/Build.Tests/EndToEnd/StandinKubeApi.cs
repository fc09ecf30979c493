using System.Diagnostics;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The stand-in kind clusters' API server (tests/standins/kube-api), one per test run and shared by every
/// <see cref="Scenario"/>: starting a python server took 0.2-0.9 s, paid by each of the run's ~350 scenarios. It keeps
/// no state of its own: a scenario's server is <c>http://127.0.0.1:port/scenarios/id</c>, where id is the name of the
/// scenario's directory under the temp directory, and every request is answered from that directory (its state, and
/// kube-api.json: the upstream and the stand-ins' environment, written by the scenario).
/// </summary>
static class StandinKubeApi
{
    /// <summary>Where every scenario directory is made (Directory.CreateTempSubdirectory): the server is told this one.</summary>
    static readonly string ScenariosDirectory = Path.TrimEndingDirectorySeparator(Path.GetTempPath());

    // Started on first use, once, whichever test class asks first: the classes run in parallel.
    static readonly Lazy<string> BaseUrl = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The server for the scenario living in <paramref name="scenarioDirectory"/>, starting the shared one if none is.</summary>
    public static string ServerFor(string scenarioDirectory)
    {
        if (Path.GetDirectoryName(scenarioDirectory) != ScenariosDirectory)
            throw new InvalidOperationException($"a scenario's directory must be in {ScenariosDirectory}, the one the stand-in API serves: {scenarioDirectory}");
        return $"{BaseUrl.Value}/scenarios/{Path.GetFileName(scenarioDirectory)}";
    }

    static string Start()
    {
        var start = new ProcessStartInfo("python3", [Path.Combine(Platform.RepoRoot.Path, "tests", "standins", "kube-api"), ScenariosDirectory])
        {
            UseShellExecute = false, RedirectStandardOutput = true,
        };
        // Nothing of the test process nor of any scenario: each request's scenario brings its own variables (kube-api.json),
        // and a test looking for the processes a run left behind (by its state directory in their environment) must not find this one.
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["PYTHONPYCACHEPREFIX"] = CompiledBuildRoot.PythonBytecodeDirectory;
        var server = System.Diagnostics.Process.Start(start)!;
        // It ends with the test process: killed here on a normal exit, and it stops by itself when its parent is gone
        // (a test host that is killed runs no exit handlers).
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { if (!server.HasExited) { server.Kill(); server.WaitForExit(5000); } } catch (InvalidOperationException) { }
        };
        string? port;
        try
        {
            port = server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            port = null;
        }
        if (!int.TryParse(port, out _))
            throw new InvalidOperationException($"tests/standins/kube-api did not start (exited: {server.HasExited}, first line: {port ?? "none"})");
        return $"http://127.0.0.1:{port}";
    }
}
