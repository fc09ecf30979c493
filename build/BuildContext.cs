using Cake.Core;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Services;
using DataPlatform.Build.Tools;
using DataPlatform.Build.Verification;
using Spectre.Console;

namespace DataPlatform.Build;

/// <summary>Options from the command line, parsed once.</summary>
public sealed record BuildOptions(bool Plan, RetrySettings HelmfileRetry, TimeSpan VerifyTimeout, string? ReportPath, string? HostsFile)
{
    public static BuildOptions From(ICakeArguments args)
    {
        string? Get(string name) => args.HasArgument(name) ? args.GetArgument(name) : null;
        double Number(string name, double fallback) => Get(name) is { } v
            ? double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 0 ? n
                : throw new HostUsageException($"--{name} expects a number, got '{v}'")
            : fallback;
        return new BuildOptions(
            Plan: Get("plan") is { } plan && plan != "false",
            HelmfileRetry: new RetrySettings((int)Number("helmfile-attempts", 4), TimeSpan.FromSeconds(Number("retry-delay", 15))),
            VerifyTimeout: TimeSpan.FromSeconds(Number("timeout", 600)),
            ReportPath: Get("report"),
            HostsFile: Get("hosts-file"));
    }
}

/// <summary>
/// The typed context every task receives: options, the platform's YAML facts (read lazily, once), the variables,
/// the tool wrappers pinned to the platform's context, and the cancellation that Ctrl+C triggers.
/// </summary>
public sealed class BuildContext : CakeContextAdapter
{
    readonly Lazy<KindConfig> _kind;
    readonly Lazy<HelmfileSpec> _helmfile;
    readonly Lazy<GatewayApiSpec> _gatewayApi;
    readonly Lazy<PlatformEnvironment> _variables;
    readonly Lazy<string> _registryHtpasswd;
    readonly Lazy<PlatformCluster> _cluster;
    readonly CancellationTokenSource _cancel = new();
    Task<(string Range, string Source)>? _metalLbRange;

    public BuildContext(ICakeContext context, HostArguments arguments) : base(context)
    {
        Options = BuildOptions.From(arguments.Arguments);
        Root = FindRoot();
        Console = AnsiConsole.Console;
        ToolsDirectory = System.IO.Path.Combine(Root, ".tools", "bin");
        // Children find the tools EnsureTools installed before anything else on PATH.
        System.Environment.SetEnvironmentVariable("PATH", ToolsDirectory + System.IO.Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH"));
        // helm (and helmfile through it) loads the pinned helm-diff from here, never from the user's own plugins folder.
        HelmPluginsDirectory = System.IO.Path.Combine(Root, ".tools", "helm-plugins");
        System.Environment.SetEnvironmentVariable("HELM_PLUGINS", HelmPluginsDirectory);

        _kind = new(() => KindConfig.Load(System.IO.Path.Combine(Root, "kind-config.yaml")));
        _helmfile = new(() => CheckedHelmfile(System.IO.Path.Combine(Root, "helmfile.yaml")));
        _gatewayApi = new(() => GatewayApiSpec.Load(System.IO.Path.Combine(Root, "gateway-api.yaml")));
        _variables = new(() => PlatformEnvironment.Load(Root, System.Environment.GetEnvironmentVariable));
        _registryHtpasswd = new(() => Htpasswd.Line(Variables.Require("REGISTRY_USER"), Variables.Require("REGISTRY_PASSWORD")));
        _cluster = new(() => PlatformCluster.Connect(KindConfig.ContextName));

        var mask = new SecretMask(SafeSecrets);
        IToolRunner runner = new CliToolRunner(Console, mask, echoQueries: arguments.Verbosity >= Cake.Core.Diagnostics.Verbosity.Verbose);
        Runner = Options.Plan ? new PlanningRunner(runner, Console, mask) : runner;

        System.Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl+C: ask the running tool to stop (SIGINT) and unwind; a second one kills the build as usual.
            if (_cancel.IsCancellationRequested) return;
            e.Cancel = true;
            Console.MarkupLine("[yellow]Stopping: waiting for the running command to exit (Ctrl+C again to kill).[/]");
            _cancel.Cancel();
        };
    }

    public BuildOptions Options { get; }
    public string Root { get; }
    public string ToolsDirectory { get; }
    public string HelmPluginsDirectory { get; }
    public IAnsiConsole Console { get; }
    public IToolRunner Runner { get; }
    public CancellationToken Cancellation => _cancel.Token;

    public KindConfig KindConfig => _kind.Value;
    public HelmfileSpec Helmfile => _helmfile.Value;
    public GatewayApiSpec GatewayApi => _gatewayApi.Value;
    public PlatformEnvironment Variables => _variables.Value;
    /// <summary>KubernetesClient pinned to kind-&lt;name&gt; (never the kubeconfig's current context), built once.</summary>
    public PlatformCluster Cluster => _cluster.Value;

    /// <summary>What Doctor found (engine, access mode), once it ran: the first step of Up.</summary>
    internal Host.DoctorReport? HostReport { get; set; }

    /// <summary>Set when --plan decided to create the cluster, so later steps plan against a cluster that does not exist yet.</summary>
    public bool ClusterIsPlanned { get; set; }

    public Docker Docker => new(Runner);
    public Kind Kind => new(Runner);
    public Kubectl Kubectl => new(Runner, KindConfig.ContextName);
    public Helm Helm => new(Runner, KindConfig.ContextName);
    public Helmfile HelmfileCli => new(Runner, KindConfig.ContextName, Helmfile.Path);

    /// <summary>The MetalLB range, resolved once per run whichever step asks first.</summary>
    public Task<(string Range, string Source)> MetalLbRangeAsync() =>
        _metalLbRange ??= ClusterIsPlanned
            ? Task.FromResult(("<computed once the cluster exists>", "plan"))
            : new MetalLbService(Docker, Variables).ResolveAsync(Cancellation);

    /// <summary>What helmfile's templates read: .env (secrets included, never in argv) plus the values the build computes.</summary>
    public async Task<IReadOnlyDictionary<string, string>> HelmfileEnvironmentAsync()
    {
        var environment = new Dictionary<string, string>(Variables.Values)
        {
            ["METALLB_IP_RANGE"] = (await MetalLbRangeAsync()).Range,
            ["REGISTRY_HTPASSWD"] = _registryHtpasswd.Value,
        };
        return environment;
    }

    /// <summary>Refuses to talk to a cluster whose context is missing: never fall back to the user's current context.</summary>
    public void RequirePlatformContext()
    {
        if (ClusterIsPlanned) return;
        KubeContexts.Require(KindConfig.ContextName);
    }

    HelmfileSpec CheckedHelmfile(string path)
    {
        var spec = HelmfileSpec.Load(path);
        if (spec.KubeContext != KindConfig.ContextName)
            throw new ConfigFileException(path, $"helmDefaults.kubeContext is '{spec.KubeContext}' but kind-config.yaml names the cluster '{KindConfig.Name}' " +
                $"(context {KindConfig.ContextName}). Make them agree so helmfile and the build target the same cluster.");
        return spec;
    }

    IEnumerable<string> SafeSecrets()
    {
        // A broken .env must not stop the runner from being built; the step that needs .env reports it.
        try { return Variables.SecretValues.Append(_registryHtpasswd.Value).ToList(); }
        catch (ConfigFileException) { return []; }
    }

    static string FindRoot()
    {
        if (System.Environment.GetEnvironmentVariable("DATA_PLATFORM_ROOT") is { Length: > 0 } root) return System.IO.Path.GetFullPath(root);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "kind-config.yaml"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
