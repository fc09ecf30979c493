using Cake.Core;
using DataPlatform.Build.Access;
using DataPlatform.Build.Diagnostics;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Host;
using DataPlatform.Build.ImageCache;
using DataPlatform.Build.Images;
using DataPlatform.Build.KindCluster;
using DataPlatform.Build.Kube;
using DataPlatform.Build.MetalLb;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using Spectre.Console;

namespace DataPlatform.Build;

/// <summary>
/// What every task receives, and nothing that acts: the parsed options, the clone's paths, the platform's YAML facts and
/// variables (each read on first use, so Clean needs only kind-config.yaml), the tool wrappers pinned to the platform's
/// context, the values earlier tasks returned, and the cancellation Ctrl+C triggers. Building one has no side effect;
/// the services do the work and <see cref="BuildLifetime"/> does the process-wide setup.
/// </summary>
internal sealed class BuildContext : CakeContextAdapter, IFrostingContext
{
    readonly Lazy<KindConfig> _kindConfig;
    readonly Lazy<HelmfileSpec> _helmfileSpec;
    readonly Lazy<GatewayApiSpec> _gatewayApi;
    readonly Lazy<PlatformEnvironment> _variables;
    readonly Lazy<string> _registryHtpasswd;
    readonly Lazy<PlatformCluster> _cluster;
    readonly Lazy<IReadOnlyList<RegistryMirror>> _registryMirrors;
    readonly Lazy<Helm> _helm;
    readonly Lazy<ExistingCluster.TargetCluster> _target;
    readonly Lazy<HelmfileSpec> _deployedSpec;

    /// <param name="runner">Builds the process runner from the mask of this platform's secrets.</param>
    /// <param name="environment">Reads a process environment variable (the tests pass their own).</param>
    public BuildContext(ICakeContext cake, BuildOptions options, string root, IAnsiConsole console, Func<SecretMask, IToolRunner> runner,
        CancellationToken cancellation, Func<string, string?>? environment = null) : base(cake)
    {
        Options = options;
        Root = root;
        Console = console;
        Cancellation = cancellation;
        EnvironmentVariable = environment ?? System.Environment.GetEnvironmentVariable;
        ToolsDirectory = System.IO.Path.Combine(root, ".tools", "bin");
        HelmPluginsDirectory = System.IO.Path.Combine(root, ".tools", "helm-plugins");

        _kindConfig = new(() => KindConfig.Load(System.IO.Path.Combine(root, "kind-config.yaml")));
        _target = new(() => ExistingCluster.TargetCluster.Resolve(root, KindConfig, EnvironmentVariable));
        _helmfileSpec = new(() => HelmfileSpec.Load(System.IO.Path.Combine(root, "helmfile.yaml")));
        // Not cached when it fails (a broken .env on an existing cluster): the validation before the first step reports it.
        _deployedSpec = new(() => ExistingCluster.MetalLbChoice.Deployed(_helmfileSpec.Value, Target, () => Variables), LazyThreadSafetyMode.PublicationOnly);
        _gatewayApi = new(() => GatewayApiSpec.Load(System.IO.Path.Combine(root, "gateway-api.yaml")));
        _variables = new(() => PlatformEnvironment.Load(root, EnvironmentVariable));
        _registryHtpasswd = new(() => Htpasswd.Line(Variables.Require("REGISTRY_USER"), Variables.Require("REGISTRY_PASSWORD")));
        // Not cached when it fails: a context kind writes later in this run (CreateCluster) is found by the next use.
        _cluster = new(() => PlatformCluster.Connect(Kubeconfig.Read(), Target.Context), LazyThreadSafetyMode.PublicationOnly);
        ClusterReads = new ApiClusterReads(() => Cluster);
        _registryMirrors = new(() => Platform.RegistryMirrors.Load(System.IO.Path.Combine(root, "kind-config.yaml")));
        Mask = new SecretMask(SecretValues);
        Runner = runner(Mask);
        // --plan changes nothing on disk, not even this cache.
        ToolVersions = new ToolVersionCache(System.IO.Path.Combine(root, ".tools", ToolVersionCache.FileName), readOnly: options.Plan);
        _helm = new(() => new Helm(Runner, Target.Context, ToolVersions));
    }

    /// <summary>This platform's secrets, in every form a tool may print them: the last filter on whatever the build shows.</summary>
    public SecretMask Mask { get; }

    public BuildOptions Options { get; }
    /// <summary>The clone: where the platform files are, and where .tools/ and .artifacts/ go.</summary>
    public string Root { get; }
    /// <summary>Where EnsureTools installs the pinned tools; first on every child's PATH.</summary>
    public string ToolsDirectory { get; }
    /// <summary>helm (and helmfile through it) loads the pinned helm-diff from here, never from the user's own plugins.</summary>
    public string HelmPluginsDirectory { get; }
    /// <summary>What each tool binary answered to its version command, until the binary changes (.tools/versions.json).</summary>
    public ToolVersionCache ToolVersions { get; }
    public IAnsiConsole Console { get; }
    public IToolRunner Runner { get; }
    public CancellationToken Cancellation { get; }
    public Func<string, string?> EnvironmentVariable { get; }
    /// <summary>The kubeconfig as kubectl reads it (KUBECONFIG list merged, or ~/.kube/config); read afresh each time, since kind writes it.</summary>
    public IKubeconfigReader Kubeconfig => new KubeconfigReader(EnvironmentVariable);

    /// <summary>kind-config.yaml: the cluster's name, hence the only context the build talks to.</summary>
    public KindConfig KindConfig => _kindConfig.Value;
    /// <summary>The one cluster this run talks to: kind-config.yaml's kind cluster, or the existing one PLATFORM_CONTEXT names.</summary>
    public ExistingCluster.TargetCluster Target => _target.Value;
    /// <summary>helmfile.yaml as the build reads it (releases, namespaces), less MetalLB's releases when this target does not get them; the file itself goes to helmfile unchanged.</summary>
    public HelmfileSpec HelmfileSpec => _deployedSpec.Value;
    public GatewayApiSpec GatewayApi => _gatewayApi.Value;
    /// <summary>.env, .env.local and the environment, merged.</summary>
    public PlatformEnvironment Variables => _variables.Value;
    /// <summary>The registry's bcrypt htpasswd line, derived from the registry credentials.</summary>
    public string RegistryHtpasswd => _registryHtpasswd.Value;
    /// <summary>KubernetesClient pinned to the target's context (never the kubeconfig's current context), built once.</summary>
    public PlatformCluster Cluster => _cluster.Value;
    /// <summary>The reads every Up makes of the cluster (nodes, the Gateway API CRD, the applied record), in process through <see cref="Cluster"/>.</summary>
    public IClusterReads ClusterReads { get; }

    /// <summary>The image cache's pull-through mirrors, from kind-config.yaml's `# mirror` lines.</summary>
    public IReadOnlyList<RegistryMirror> RegistryMirrors => _registryMirrors.Value;
    /// <summary>IMAGE_CACHE (on unless .env says off).</summary>
    public bool ImageCacheOn => ImageCacheSetting.IsOn(Variables);
    // What the steps of this run decided, each set by the step that decides it and read by name by the steps after it.
    // Unset means that step did not run (a target without it, or --exclusive): the reader then works it out itself.

    /// <summary>Whether HelmfileApply runs later in this run (set once the run starts): CheckImages then leaves the check to it.</summary>
    public bool HelmfileApplyFollows { get; internal set; }
    /// <summary>Purge is in this run: Clean of an existing cluster removes the platform's CRDs too.</summary>
    public bool PurgeFollows { get; internal set; }
    /// <summary>Clean already removed the platform from the existing cluster in this run (Purge's CRDs included when it follows).</summary>
    public bool ExistingClusterCleaned { get; set; }
    /// <summary>What Doctor found (engine, access mode, its table's rows): set by Doctor, the first step of Up, or by the first step that needs the access mode.</summary>
    public DoctorReport? DoctorFindings { get; set; }
    /// <summary>The cluster's node containers as CheckImages listed them; CreateCluster reuses the look.</summary>
    public NodeContainersSeen? NodeContainersSeen { get; set; }
    /// <summary>Set once the image check asked the registries, so HelmfileApply never asks twice in one run.</summary>
    public ImagesChecked? ImagesChecked { get; set; }
    /// <summary>The mirror containers as StartImageCache found them; ConnectImageCache reuses the look.</summary>
    public MirrorsObserved? MirrorsObserved { get; set; }
    /// <summary>What CreateCluster did (or, under --plan, would do).</summary>
    public ClusterOutcome? ClusterOutcome { get; set; }
    /// <summary>CreateCluster's outcome; without CreateCluster in this run (Verify alone, --exclusive), the cluster that exists.</summary>
    public ClusterOutcome ClusterOutcomeOrExisting => ClusterOutcome ?? KindCluster.ClusterOutcome.Existing;
    /// <summary>METALLB_IP_RANGE as ComputeMetalLbRange worked it out.</summary>
    public MetalLbAddresses? MetalLbAddresses { get; set; }
    /// <summary>The access proxy's forwards as PublishPorts published them.</summary>
    public PublishedAccess? PublishedAccess { get; set; }

    /// <summary>
    /// After a step against the cluster failed (HelmfileApply, Verify): the diagnostics bundle. Through the context, so
    /// the failing step does not depend on Diagnostics, which reads what every step leaves behind.
    /// </summary>
    public Task WriteDiagnosticsAfterFailureAsync(string step, Exception failure) => DiagnosticsService.WriteAfterFailureAsync(this, step, failure);

    public Docker Docker => new(Runner);
    public Kind Kind => new(Runner);
    public Kubectl Kubectl => new(Runner, Target.Context);
    /// <summary>One per run: it asks helm for its version once, to list releases in the form that major documents.</summary>
    public Helm Helm => _helm.Value;
    /// <summary>The helmfile CLI, pointed at helmfile.yaml and the platform's context.</summary>
    public Helmfile HelmfileTool => new(Runner, Target.Context, HelmfileSpec) { Selectors = ExistingCluster.MetalLbChoice.Selectors(Target, Variables) };

    IEnumerable<string> SecretValues()
    {
        // A broken .env must not stop the runner from being built; the validation before the first task reports it.
        try { return Variables.SecretValues.Append(RegistryHtpasswd).ToList(); }
        catch (ConfigFileException) { return []; }
    }
}
