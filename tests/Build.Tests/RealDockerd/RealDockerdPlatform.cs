using System.Text.RegularExpressions;
using DataPlatform.Build.Tests.EndToEnd;

namespace DataPlatform.Build.Tests.RealDockerd;

[CollectionDefinition(Name)]
public sealed class RealDockerdCollection : ICollectionFixture<RealDockerdPlatform>
{
    public const string Name = "Real dockerd: ./build.sh's docker side on a private daemon";
}

/// <summary>
/// Everything the RealDockerd tests share, made once per run: the private daemon, the three images in its loopback
/// registry, and a compiled build root whose image pins (the mirror's, the proxy's, kind-config.yaml's node image)
/// name those images by their real digests. When this machine cannot run a daemon (not root, no dockerd, a daemon
/// that does not start) the tests skip with the reason; under CI=true they fail instead, so CI cannot skip them quietly.
/// </summary>
public sealed class RealDockerdPlatform : IAsyncLifetime
{
    // Where the build pins its images; the tests' copy points them at the loopback registry.
    const string MirrorSource = "build/ImageCache/ImageCacheService.cs";
    const string ProxySource = "build/Access/PortProxyService.cs";
    static readonly Regex ImageConstant = new(@"public const string Image = ""(?<name>[^""@]+)@sha256:[0-9a-f]{64}"";");
    static readonly Regex NodeImage = new(@"(?<=image: )(?<name>kindest/node:[^@\s]+)@sha256:[0-9a-f]{64}");
    static readonly Regex MirrorUpstream = new(@"(?<=# mirror \S+ = \S+ )https?://\S+");

    /// <summary>
    /// The registry the mirrors pull through to: a plain Distribution container on the kind network. Distribution's proxy
    /// mode asks its upstream for its auth challenge as it starts (and exits when it cannot), so an upstream on the
    /// internet would make every mirror dial out; this one is answered container to container on the private daemon.
    /// </summary>
    public const string UpstreamContainer = "upstream-registry";
    public const string UpstreamUrl = "http://" + UpstreamContainer + ":5000";
    /// <summary>Marks what the fixture itself runs for the whole collection, so a test's clean-up leaves it.</summary>
    public const string FixtureLabel = "realdockerd.fixture";

    PrivateDockerd? _daemon;
    LocalImages? _images;
    CompiledBuildRoot? _build;
    (string Node, string Mirror, string Proxy) _pins;

    /// <summary>Why these tests cannot run here, or null.</summary>
    public string? Unavailable { get; private set; }
    public PrivateDockerd Daemon => _daemon ?? throw new InvalidOperationException(Unavailable);
    public LocalImages Images => _images ?? throw new InvalidOperationException(Unavailable);
    public CompiledBuildRoot Build => _build ?? throw new InvalidOperationException(Unavailable);
    /// <summary>The busybox node image, by its loopback reference and digest (the tests also run it as a LoadBalancer backend).</summary>
    public string NodeImageReference => Images.ByPinnedName[_pins.Node];
    /// <summary>CI sets CI=true: there these tests must run, never skip.</summary>
    public static bool RunningUnderCi => Environment.GetEnvironmentVariable("CI") == "true";

    /// <summary>The stand-ins' switch: kind creates real node containers, and `docker` runs this CLI (recording each call).</summary>
    public IReadOnlyDictionary<string, string> BuildEnvironment => new Dictionary<string, string>(Daemon.Environment)
    {
        ["STANDIN_REAL_DOCKER"] = Daemon.CliPath,
    };

    public async Task InitializeAsync()
    {
        Unavailable = PrivateDockerd.WhyUnavailable();
        if (Unavailable is not null)
        {
            if (RunningUnderCi) throw new InvalidOperationException($"RealDockerd tests cannot run under CI=true: {Unavailable}");
            return;
        }
        try
        {
            _daemon = await PrivateDockerd.StartAsync();
        }
        catch (InvalidOperationException e) when (!RunningUnderCi)
        {
            Unavailable = e.Message.Split('\n')[0];
            return;
        }
        _pins = PinnedNames();
        _images = await LocalImages.BuildAsync(_daemon, _pins.Node, _pins.Mirror, _pins.Proxy);
        // The kind network as an earlier kind cluster leaves it: the stand-in kind creates it with its first cluster and keeps it
        // when the cluster is deleted. The mirrors' upstream then runs on it (the daemon has no default bridge: --bridge=none).
        await MakeAndDeleteAClusterAsync(_daemon, _images.ByPinnedName[_pins.Node]);
        await _daemon.DockerAsync("run", "--detach", "--name", UpstreamContainer, "--network", "kind", "--label", $"{FixtureLabel}=upstream",
            _images.ByPinnedName[_pins.Mirror]);
        _build = new CompiledBuildRoot(PointPinsAtLoopbackRegistry);
        await _build.InitializeAsync();
    }

    /// <summary>`kind create cluster` then `kind delete cluster` through the stand-in on the real daemon, as a user's earlier cluster.</summary>
    static async Task MakeAndDeleteAClusterAsync(PrivateDockerd daemon, string nodeImage)
    {
        var scratch = Directory.CreateTempSubdirectory("dockerd-kind-").FullName;
        try
        {
            var config = Path.Combine(scratch, "kind-config.yaml");
            File.WriteAllText(config, $"kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: earlier\nnodes:\n  - role: control-plane\n    image: {nodeImage}\n");
            var environment = new Dictionary<string, string>(daemon.Environment)
            {
                ["PATH"] = "/usr/bin:/bin", ["HOME"] = scratch, ["KUBECONFIG"] = Path.Combine(scratch, "kubeconfig"),
                ["STANDIN_STATE"] = Directory.CreateDirectory(Path.Combine(scratch, "state")).FullName,
                ["STANDIN_REAL_DOCKER"] = daemon.CliPath, ["PYTHONPYCACHEPREFIX"] = CompiledBuildRoot.PythonBytecodeDirectory,
            };
            var kind = Path.Combine(Platform.RepoRoot.Path, "tests", "standins", "kind");
            foreach (var argv in new[] { new[] { "create", "cluster", "--config", config }, ["delete", "cluster", "--name", "earlier"] })
            {
                var run = await ChildProcess.RunAsync(kind, argv, scratch, environment);
                if (run.ExitCode != 0) throw new InvalidOperationException($"the stand-in `kind {string.Join(' ', argv)}` failed on the private daemon:\n{run.Output}");
            }
        }
        finally { Directory.Delete(scratch, recursive: true); }
    }

    /// <summary>The names (repository:tag) the repository pins, read from the same files the rewrite changes.</summary>
    static (string Node, string Mirror, string Proxy) PinnedNames()
    {
        var repo = Platform.RepoRoot.Path;
        string Constant(string file) => ImageConstant.Match(File.ReadAllText(Path.Combine(repo, file))) is { Success: true } m
            ? m.Groups["name"].Value : throw new InvalidOperationException($"{file} no longer pins `public const string Image = \"…@sha256:…\"`: update RealDockerdPlatform");
        var node = NodeImage.Match(File.ReadAllText(Path.Combine(repo, "kind-config.yaml")));
        if (!node.Success) throw new InvalidOperationException("kind-config.yaml pins no kindest/node image by digest: update RealDockerdPlatform");
        return (node.Groups["name"].Value, Constant(MirrorSource), Constant(ProxySource));
    }

    void PointPinsAtLoopbackRegistry(string root)
    {
        void Rewrite(string relative, Regex pin)
        {
            var file = Path.Combine(root, relative);
            var text = File.ReadAllText(file);
            var changed = pin.Replace(text, m =>
            {
                // Every node of the fixture's kind-config.yaml runs the one node image, whatever tag the fixture pins.
                if (pin == MirrorUpstream) return UpstreamUrl;
                var local = Images.ByPinnedName[pin == NodeImage ? _pins.Node : m.Groups["name"].Value];
                return pin == NodeImage ? local : $"public const string Image = \"{local}\";";
            });
            if (changed == text) throw new InvalidOperationException($"no image pin to rewrite in {relative}");
            File.WriteAllText(file, changed);
        }
        Rewrite(MirrorSource, ImageConstant);
        Rewrite(ProxySource, ImageConstant);
        Rewrite("kind-config.yaml", NodeImage);
        Rewrite("kind-config.yaml", MirrorUpstream);
    }

    /// <summary>Bridges this machine has now (`ip -o link show type bridge`).</summary>
    public static async Task<IReadOnlyList<string>> HostBridgesAsync()
    {
        var result = await CliWrap.Buffered.BufferedCommandExtensions.ExecuteBufferedAsync(
            CliWrap.Cli.Wrap("ip").WithArguments(["-o", "link", "show", "type", "bridge"]).WithValidation(CliWrap.CommandResultValidation.None));
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 3)[1].Trim().Split('@')[0]).ToList();
    }

    public async Task DisposeAsync()
    {
        IReadOnlyList<string> bridges = [];
        if (_daemon is not null) bridges = await _daemon.BridgesAsync();
        if (_build is not null) await _build.DisposeAsync();
        if (_images is not null) await _images.DisposeAsync();
        if (_daemon is not null) await _daemon.DisposeAsync();
        // The daemon must leave no interface behind: a bridge still there would be a leak on the user's machine.
        var left = (await HostBridgesAsync()).Intersect(bridges).ToList();
        if (left.Count > 0)
            throw new InvalidOperationException($"the private dockerd left bridges behind: {string.Join(", ", left)} (remove them with: ip link delete <name>)");
    }
}
