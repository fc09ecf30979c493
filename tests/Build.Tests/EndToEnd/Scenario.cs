using System.Text.RegularExpressions;
using DataPlatform.Build.Tests.Infrastructure;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>What one ./build.sh run did: its exit code, everything it printed, and the stand-in calls it made.</summary>
public sealed record BuildRun(int ExitCode, string Output, IReadOnlyList<StandinCall> Calls, IReadOnlyList<string> Violations)
{
    /// <summary>The output with all whitespace removed: a value the console wrapped over two lines is still found.</summary>
    public string Squashed => Regex.Replace(Output, @"\s+", "");

    /// <summary>The output with runs of whitespace as one space, for matching sentences the console may have wrapped.</summary>
    public string Text => Regex.Replace(Output, @"\s+", " ");

    public IEnumerable<string> Signatures => Calls.Where(c => !c.IsVersionQuery).Select(c => c.Signature);

    public IEnumerable<StandinCall> Named(string signature) => Calls.Where(c => c.Signature == signature);

    /// <summary>An expected failure shows its message, not a .NET stack trace (those are for --verbosity=diagnostic).</summary>
    public bool HasStackTrace => Regex.IsMatch(Output, @"^\s+at \S+.*\(", RegexOptions.Multiline) || Output.Contains("   at ");

    public override string ToString() =>
        $"exit code {ExitCode}\n--- calls ---\n{string.Join('\n', Calls)}\n--- violations ---\n{string.Join('\n', Violations)}\n--- output ---\n{Output}";
}

/// <summary>
/// One user's machine, as the stand-ins see it: a HOME, a kubeconfig whose current context is a decoy production
/// cluster, and the scenario state (kind clusters, docker network, Gateway API CRDs, queued helmfile failures).
/// The compiled build root is shared; nothing here is.
/// </summary>
public sealed class Scenario : IDisposable
{
    public const string DecoyContext = "prod-cluster";
    public const string DecoyServer = "https://prod.example.invalid:6443";

    readonly CompiledBuildRoot _build;
    readonly string _directory;
    int _logLinesSeen;
    string? _registeredWithClusterApi;

    /// <param name="decoyServer">Where the user's current (decoy) context points; a test may point it at a fake API that must stay unasked.</param>
    public Scenario(CompiledBuildRoot build, string decoyServer = DecoyServer)
    {
        _build = build;
        _directory = Directory.CreateTempSubdirectory("data-platform-scenario-").FullName;
        Home = Directory.CreateDirectory(Path.Combine(_directory, "home")).FullName;
        State = Directory.CreateDirectory(Path.Combine(_directory, "state")).FullName;
        KubeConfig = Path.Combine(Home, ".kube", "config");
        Log = Path.Combine(_directory, "calls.jsonl");
        Kubeconfig.WriteFile(KubeConfig, DecoyContext, (DecoyContext, decoyServer));
    }

    public string Home { get; }
    public string State { get; }
    public string KubeConfig { get; }
    public string Log { get; }
    /// <summary>Another build root to run (a case's private copy); the shared compiled root when null.</summary>
    public string? BuildRoot { get; set; }
    /// <summary>Variables this machine's user has set, on top of the stand-ins' own.</summary>
    public Dictionary<string, string> UserEnvironment { get; } = new();
    /// <summary>
    /// A fake Kubernetes API serving the platform's workloads (Verify, the warm health check), or null. kind-data-platform
    /// always points at the stand-in cluster's own API (tests/standins/kube-api), which serves the nodes, CRDs and
    /// ConfigMaps from the scenario state and passes every other request on to this one.
    /// </summary>
    public string? ApiServer { get; set; }

    /// <summary>The requests the stand-in cluster's API answered from the scenario state ("GET /api/v1/nodes"), in order.</summary>
    public IReadOnlyList<string> StandinApiRequests => (ReadState("api_requests") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
    /// <summary>IMAGE_CACHE in the build's environment: off unless a test is about the image cache, so the other tests' call lists stay about their own steps.</summary>
    public string? ImageCache { get; set; } = "off";
    /// <summary>More variables for the build's environment (e.g. PLATFORM_HTTPS_PORT), as the user would export them.</summary>
    public Dictionary<string, string> Variables { get; } = new();
    /// <summary>KUBECONFIG for the build and the stand-ins; default: the home kubeconfig alone.</summary>
    public string? KubeconfigVariable { get; set; }

    public void SetState(string name, string content) => File.WriteAllText(Path.Combine(State, name), content);

    public string? ReadState(string name) => File.Exists(Path.Combine(State, name)) ? File.ReadAllText(Path.Combine(State, name)) : null;

    public IReadOnlyList<string> Clusters => (ReadState("clusters") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Shapes the machine by running a stand-in by hand, as the user would have (its calls are not the build's).</summary>
    public async Task GivenAsync(string tool, params string[] arguments)
    {
        var environment = Environment();
        environment["STANDIN_LOG"] = Path.Combine(_directory, "setup.jsonl");
        var result = await ChildProcess.RunAsync(Path.Combine(_build.StandinsDirectory, tool), arguments, Home, environment);
        Assert.True(result.ExitCode == 0, $"scenario setup `{tool} {string.Join(' ', arguments)}` failed:\n{result.Output}");
    }

    /// <summary>
    /// Runs a stand-in by hand, as the user would, with extra variables (e.g. the ones the build gave helmfile), and
    /// returns what it answered, failure included (its calls are not the build's).
    /// </summary>
    public async Task<ChildResult> RunToolAsync(string tool, IReadOnlyDictionary<string, string> variables, params string[] arguments)
    {
        var environment = Environment();
        foreach (var (key, value) in variables) environment[key] = value;
        environment["PATH"] = Environment()["PATH"];
        environment["STANDIN_STATE"] = State;
        environment["STANDIN_LOG"] = Path.Combine(_directory, "setup.jsonl");
        return await ChildProcess.RunAsync(Path.Combine(_build.StandinsDirectory, tool), arguments, Home, environment);
    }

    /// <summary>What `helm list` answers now: "namespace/name" → (status, revision), each release's latest revision.</summary>
    public IReadOnlyDictionary<string, (string Status, string Revision)> Releases =>
        System.Text.Json.JsonDocument.Parse(ReadState("releases") ?? "[]").RootElement.EnumerateArray().ToDictionary(
            r => $"{r.GetProperty("namespace").GetString()}/{r.GetProperty("name").GetString()}",
            r => (r.GetProperty("status").GetString()!, r.GetProperty("revision").GetString()!));

    /// <summary>The platform's cluster exists (created by kind from the fixture's config) and the user went back to their own context.</summary>
    public async Task GivenPlatformClusterAsync()
    {
        await GivenAsync("kind", "create", "cluster", "--config", Path.Combine(_build.Root, "kind-config.yaml"));
        await GivenAsync("kubectl", "config", "use-context", DecoyContext);
    }

    /// <summary>Runs the real ./build.sh with the stand-ins first on its PATH; retries wait 0 s unless a test says otherwise.</summary>
    public async Task<BuildRun> RunBuildAsync(params string[] arguments)
    {
        var args = arguments.Any(a => a.StartsWith("--retry-delay")) ? arguments : [.. arguments, "--retry-delay=0"];
        var script = BuildRoot is null ? _build.BuildScript : Path.Combine(BuildRoot, "build.sh");
        var result = await ChildProcess.RunAsync("bash", [script, .. args], Home, Environment());
        var lines = File.Exists(Log) ? File.ReadAllLines(Log) : [];
        var calls = lines.Skip(_logLinesSeen).Where(l => l.Length > 0).Select(StandinCall.Parse).ToList();
        _logLinesSeen = lines.Length;
        var violations = (ReadState("violations") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        File.Delete(Path.Combine(State, "violations"));
        return new BuildRun(result.ExitCode, result.Output, calls, violations);
    }

    /// <summary>
    /// Runs ./build.sh in a terminal, as a person at a keyboard does: util-linux `script` gives it a pseudo-terminal and
    /// types <paramref name="typed"/> into it. Only the output is kept (script's transcript); the calls are read as usual.
    /// </summary>
    public async Task<BuildRun> RunBuildInTerminalAsync(string typed, params string[] arguments)
    {
        var script = BuildRoot is null ? _build.BuildScript : Path.Combine(BuildRoot, "build.sh");
        var command = string.Join(' ', new[] { "bash", script }.Concat(arguments).Select(a => "'" + a.Replace("'", "'\\''") + "'"));
        var result = await ChildProcess.RunAsync("script", ["--quiet", "--return", "--command", command, "/dev/null"], Home, Environment(), typed);
        var lines = File.Exists(Log) ? File.ReadAllLines(Log) : [];
        var calls = lines.Skip(_logLinesSeen).Where(l => l.Length > 0).Select(StandinCall.Parse).ToList();
        _logLinesSeen = lines.Length;
        return new BuildRun(result.ExitCode, result.Output, calls, []);
    }

    Dictionary<string, string> Environment(bool withApi = true)
    {
        var environment = new Dictionary<string, string>
        {
            // The stand-ins first; /usr/bin for bash, python3 and coreutils; dotnet last, only for a compile.
            ["PATH"] = $"{_build.StandinsDirectory}:/usr/bin:/bin:{_build.DotnetDirectory}",
            ["HOME"] = Home,
            ["KUBECONFIG"] = KubeconfigVariable ?? KubeConfig,
            ["STANDIN_STATE"] = State,
            ["STANDIN_LOG"] = Log,
            ["PYTHONPYCACHEPREFIX"] = CompiledBuildRoot.PythonBytecodeDirectory,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["LANG"] = "C.UTF-8",
        };
        if (withApi) environment["STANDIN_API_SERVER"] = ClusterApiUrl();
        if (ImageCache is not null) environment["IMAGE_CACHE"] = ImageCache;
        foreach (var (key, value) in UserEnvironment) environment[key] = value;
        foreach (var (name, value) in Variables) environment[name] = value;
        return environment;
    }

    /// <summary>
    /// The server kind writes into kind-data-platform's kubeconfig entry: this scenario's path on the stand-in clusters'
    /// API (<see cref="StandinKubeApi"/>, shared by every scenario of the run). What the server needs of this scenario
    /// beyond its state is written next to the state (kube-api.json) before each use, so an <see cref="ApiServer"/> or a
    /// variable set after the first run is honoured too.
    /// </summary>
    public string ClusterApiUrl()
    {
        var environment = Environment(withApi: false);
        // The state directory is the server's to derive from the URL; the log is for the stand-in calls, which the server's requests are not.
        environment.Remove("STANDIN_STATE");
        environment.Remove("STANDIN_LOG");
        var registration = System.Text.Json.JsonSerializer.Serialize(new { upstream = ApiServer, environment });
        if (registration != _registeredWithClusterApi)
        {
            var file = Path.Combine(_directory, "kube-api.json");
            // Replaced whole, never half-written: the server may be answering one of this scenario's earlier requests.
            File.WriteAllText(file + ".tmp", registration);
            File.Move(file + ".tmp", file, overwrite: true);
            _registeredWithClusterApi = registration;
        }
        return StandinKubeApi.ServerFor(_directory);
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
