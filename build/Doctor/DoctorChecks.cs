using DataPlatform.Build.Frosting;
using DataPlatform.Build.Host;

namespace DataPlatform.Build.Doctor;

/// <summary>
/// The host checks, read-only: is the machine able to run kind and this platform? Each check turns facts (docker info,
/// /proc, the filesystem, the kubeconfig path, the platform's declared requests) into one line: ok, warning (Up goes
/// on) or failure (Up stops before it changes anything), with the fix.
/// </summary>
internal sealed class DoctorChecks(IHostSystem host)
{
    /// <summary>kind's known-issues page: "Pod errors due to too many open files" recommends these two values.</summary>
    public const long RecommendedMaxUserWatches = 524288;
    public const long RecommendedMaxUserInstances = 512;

    /// <summary>Below this the kind node image and the platform's images cannot even be unpacked (estimate, see docs/doctor.md).</summary>
    public const long DiskFailureBytes = 4L << 30;
    /// <summary>Below this images, volumes and logs fill the disk within days of use (estimate, see docs/doctor.md).</summary>
    public const long DiskWarningBytes = 10L << 30;

    /// <summary>Memory each kind node uses beyond what its pods request (kubelet, containerd, the API server): rule of thumb.</summary>
    public const long HeadroomPerNodeBytes = 1L << 30;

    static readonly TimeSpan ControlPlaneProbeTimeout = TimeSpan.FromSeconds(1);
    const int ControlPlanePort = 6443;

    public async Task<DoctorReport> ExamineAsync(DoctorInput input, CancellationToken ct)
    {
        var checks = new List<HostCheck>();
        var (dockerCheck, info) = Docker(input.DockerInfo);
        checks.Add(dockerCheck);

        HostEngine? engine = null;
        AccessDecision? access = null;
        if (info is not null)
        {
            engine = HostEngine.Detect(info, input.Os);
            checks.Add(Engine(engine));
            checks.Add(Cgroups(info, engine));
            checks.Add(Memory(info, engine, input.Memory, input.KindNodes));
            checks.Add(Disk(info, engine));
            if (input.ImageCache is { } imageCache) checks.Add(await imageCache(ct));

            bool? answered = null;
            string? probed = null;
            // An explicit PLATFORM_ACCESS decides alone: the control plane's address on the kind network is not dialed
            // for an answer nobody reads (on a machine where it is not routed, that packet would leave for the LAN).
            if (input.ControlPlaneAddress is { Length: > 0 } address && input.Variable(AccessDecision.Variable) is null)
            {
                probed = $"{address}:{ControlPlanePort}";
                answered = await host.AnswersAsync(address, ControlPlanePort, ControlPlaneProbeTimeout, ct);
            }
            try
            {
                access = AccessDecision.Resolve(engine, input.Variable(AccessDecision.Variable), answered, probed);
                checks.Add(HostCheck.Ok("access mode", access.ToString()));
            }
            catch (BuildFailure e)
            {
                var where = input.SourceOf?.Invoke(AccessDecision.Variable);
                var detail = where is null ? e.Message : new Platform.ConfigProblem(where.File, where.Line, null, AccessDecision.Unknown(input.Variable(AccessDecision.Variable)!)).ToString();
                checks.Add(HostCheck.Failure("access mode", detail, $"fix or remove {AccessDecision.Variable}"));
            }
        }

        if (input.Os == HostOs.Linux && (engine is null || engine.SharesHostKernel))
            checks.Add(Inotify());
        else
            checks.Add(HostCheck.Ok("inotify limits", $"not checked here: {engine?.Description ?? "the engine"} runs containers in its own VM, whose kernel sets them"));

        checks.Add(await Ports(engine, access, input, ct));
        checks.Add(Kubeconfig(input.KubeconfigPath));
        return new DoctorReport(checks, engine, access);
    }

    internal static (HostCheck, DockerInfo?) Docker(Process.ToolResult? result)
    {
        const string name = "docker";
        if (result is null)
            return (HostCheck.Failure(name, "docker is not installed (not on PATH)",
                "install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop, then run the same command again"), null);
        var info = DockerInfo.Parse(result.StandardOutput);
        var errors = info?.ServerErrors ?? [];
        if (!result.Succeeded || errors.Count > 0 || info is null && result.StandardOutput.Trim().Length == 0)
        {
            var reason = errors.FirstOrDefault() ?? FirstLine(result.StandardError) ?? "no answer";
            return (HostCheck.Failure(name, $"Docker is not running ({reason})",
                "start it (sudo systemctl start docker, or open Docker Desktop), then run the same command again"), null);
        }
        if (info is null || info.ServerVersion.Length == 0)
            return (HostCheck.Failure(name, $"`docker info --format '{{{{json .}}}}'` did not describe a daemon (it printed: {FirstLine(result.StandardOutput)})",
                "check that `docker` is the Docker CLI (or Podman's docker-compatible CLI) and that `docker info` works"), null);
        return (HostCheck.Ok(name, $"Docker {info.ServerVersion} is running"), info);
    }

    internal static HostCheck Engine(HostEngine engine) => engine.Kind switch
    {
        EngineKind.RootlessDocker => HostCheck.Warning("engine", engine.Description,
            "kind runs on rootless Docker only with cgroup v2 and systemd delegation of the cpu, cpuset, io, memory and pids controllers: see https://kind.sigs.k8s.io/docs/user/rootless/"),
        EngineKind.Podman => HostCheck.Warning("engine", $"{engine.Description}, through its docker-compatible CLI",
            "kind drives Podman only behind a preview switch: export KIND_EXPERIMENTAL_PROVIDER=podman before running the build, or use Docker"),
        _ => HostCheck.Ok("engine", engine.Description),
    };

    internal static HostCheck Cgroups(DockerInfo info, HostEngine engine)
    {
        const string name = "cgroups";
        var found = $"cgroup v{(info.CgroupVersion.Length > 0 ? info.CgroupVersion : "?")}, driver {(info.CgroupDriver.Length > 0 ? info.CgroupDriver : "?")}";
        if (info.CgroupDriver == "none")
            return HostCheck.Failure(name, $"{found}: the engine runs containers without cgroups, so kubelet cannot start in a kind node",
                engine.Rootless ? "boot the host with cgroup v2 (systemd.unified_cgroup_hierarchy=1) and enable delegation: https://kind.sigs.k8s.io/docs/user/rootless/"
                    : "configure the engine with a cgroup driver (systemd on cgroup v2)");
        if (info.CgroupVersion == "1")
            return HostCheck.Failure(name, $"{found}: Kubernetes 1.35 and later refuse cgroup v1, so the pinned kind node image cannot start",
                "boot the host with cgroup v2 (kernel parameter systemd.unified_cgroup_hierarchy=1; the default on current distributions)");
        if (info.CgroupVersion != "2")
            return HostCheck.Warning(name, $"{found}: the engine does not say which cgroup version it uses",
                "check `docker info` reports Cgroup Version: 2 (kind's current node images need it)");
        return HostCheck.Ok(name, found);
    }

    /// <summary>The memory row's name: a failure message quotes its measurement.</summary>
    public const string MemoryCheck = "memory";

    internal static HostCheck Memory(DockerInfo info, HostEngine engine, MemoryNeed need, int kindNodes)
    {
        const string name = MemoryCheck;
        var where = engine.SharesHostKernel ? "this machine" : $"the {engine.Description} VM";
        var counted = $"the platform requests {MemoryRequests.Format(need.Bytes)} ({need.Requests.Count} requests counted" +
                      (need.Unread.Count > 0 ? $"; not counted: {string.Join(", ", need.Unread)}" : "") + ")";
        if (info.MemTotal is not { } total)
            return HostCheck.Warning(name, $"the engine does not report its memory; {counted}", "check `docker info` reports Total Memory");
        var comfortable = need.Bytes + HeadroomPerNodeBytes * kindNodes;
        var fix = engine.SharesHostKernel
            ? "free memory (close other containers and applications) or use a machine with more"
            : $"give the {engine.Description} VM more memory (Docker Desktop: Settings > Resources; Colima: colima start --memory; Podman: podman machine set --memory)";
        if (total < need.Bytes)
            return HostCheck.Failure(name, $"{MemoryRequests.Format(total)} in {where}, but {counted}: some pods would stay Pending and Up would time out", fix);
        if (total < comfortable)
            return HostCheck.Warning(name, $"{MemoryRequests.Format(total)} in {where}; {counted}, and {kindNodes} kind nodes need about " +
                $"{MemoryRequests.Format(HeadroomPerNodeBytes)} each beyond that: {MemoryRequests.Format(comfortable)} is comfortable", fix);
        return HostCheck.Ok(name, $"{MemoryRequests.Format(total)} in {where}; {counted}");
    }

    internal HostCheck Disk(DockerInfo info, HostEngine engine)
    {
        const string name = "disk";
        var root = info.DockerRootDir.Length > 0 ? info.DockerRootDir : "(not reported)";
        if (!engine.SharesHostKernel)
            return HostCheck.Ok(name, $"not measured: {root} is inside the {engine.Description} VM, whose disk this machine cannot see " +
                "(Docker Desktop: Settings > Resources > Disk usage limit; `docker system df` shows what it holds)");
        if (host.SpaceAt(info.DockerRootDir) is not { } space)
            return HostCheck.Warning(name, $"Docker's root directory {root} is not visible from this process (another machine's daemon, or no permission to look)",
                $"check free space under {root} on the machine that runs the daemon (`df -h {root}`)");
        var detail = $"{MemoryRequests.Format(space.Free)} free of {MemoryRequests.Format(space.Total)} under {root}";
        var fix = $"free space under {root} (`docker system prune` removes stopped containers and unused images), or move Docker's data-root to a larger disk";
        if (space.Free < DiskFailureBytes)
            return HostCheck.Failure(name, $"{detail}: less than {MemoryRequests.Format(DiskFailureBytes)}, not enough for the node image and the platform's images", fix);
        if (space.Free < DiskWarningBytes)
            return HostCheck.Warning(name, $"{detail}: less than {MemoryRequests.Format(DiskWarningBytes)}, volumes and images will fill it soon", fix);
        return HostCheck.Ok(name, detail);
    }

    internal HostCheck Inotify()
    {
        const string name = "inotify limits";
        var watches = ParseLong(host.ReadProc("sys/fs/inotify/max_user_watches"));
        var instances = ParseLong(host.ReadProc("sys/fs/inotify/max_user_instances"));
        var found = $"fs.inotify.max_user_watches={watches?.ToString() ?? "?"}, fs.inotify.max_user_instances={instances?.ToString() ?? "?"}";
        var fix = $"sudo sysctl fs.inotify.max_user_watches={RecommendedMaxUserWatches} fs.inotify.max_user_instances={RecommendedMaxUserInstances}; " +
                  $"to keep them after a reboot, put both lines in /etc/sysctl.d/99-kind.conf";
        if (watches is null || instances is null)
            return HostCheck.Warning(name, $"{found}: could not read /proc/sys/fs/inotify", fix);
        if (watches < RecommendedMaxUserWatches || instances < RecommendedMaxUserInstances)
            return HostCheck.Warning(name, $"{found}, below kind's recommended {RecommendedMaxUserWatches} and {RecommendedMaxUserInstances}: " +
                "pods fail with \"too many open files\"", fix);
        return HostCheck.Ok(name, found);
    }

    /// <summary>
    /// Published mode binds the host ports: one held by another program would make the proxy fail after the cluster was
    /// built, so it fails here, before anything changes. Ports the platform's own proxy holds (a second Up) are fine.
    /// </summary>
    async Task<HostCheck> Ports(HostEngine? engine, AccessDecision? access, DoctorInput input, CancellationToken ct)
    {
        const string name = "host ports";
        var problems = new List<Platform.ConfigProblem>();
        var ports = PublishedPorts.Read(input.Variable, input.SourceOf, problems);
        if (problems.Count > 0) return HostCheck.Failure(name, string.Join(Environment.NewLine, problems), "fix the variable named above");
        var list = string.Join(", ", ports.Select(p => $"{p.Port}"));
        if (access?.Mode == AccessMode.Direct)
            return HostCheck.Ok(name, $"none bound in direct mode (published mode would bind {list})");
        var taken = new List<PublishedPort>();
        foreach (var port in ports)
            if (await host.IsListeningAsync(port.Port, ct)) taken.Add(port);
        if (taken.Count > 0 && input.ProxyPorts is not null)
        {
            var ours = await input.ProxyPorts(ct);
            taken.RemoveAll(p => ours.Contains(p.Port));
        }
        if (taken.Count == 0)
            return Privileged(engine, ports) ?? HostCheck.Ok(name, $"{list} are free for published mode, or held by the platform's access proxy");
        var found = $"already in use on this machine: {string.Join(", ", taken.Select(p => $"{p.Port} ({p.Purpose})"))}; published mode binds {list}";
        var fix = $"stop what listens there, or move the platform's port with {string.Join(", ", taken.Select(p => $"{p.Variable}=<free port>"))} in .env.local";
        // Before the engine is known the mode is not either: a taken port is worth a warning, not a stop.
        return access is null ? HostCheck.Warning(name, found, fix) : HostCheck.Failure(name, found, fix);
    }

    /// <summary>
    /// A rootless engine publishes ports as the user (rootlesskit, rootlessport), and the kernel keeps the ports below
    /// net.ipv4.ip_unprivileged_port_start (1024 unless lowered) for root: binding 80 or 443 fails with "cannot expose
    /// privileged port". A warning, not a stop: rootlesskit may hold CAP_NET_BIND_SERVICE (Docker's documented other way),
    /// which this check cannot see.
    /// </summary>
    HostCheck? Privileged(HostEngine? engine, IReadOnlyList<PublishedPort> ports)
    {
        if (engine is not { Rootless: true, Os: HostOs.Linux }) return null;
        var start = ParseLong(host.ReadProc("sys/net/ipv4/ip_unprivileged_port_start")) ?? 1024;   // absent before Linux 4.11: 1024 fixed
        var low = ports.Where(p => p.Port < start).ToList();
        if (low.Count == 0) return null;
        var lowest = low.Min(p => p.Port);
        return HostCheck.Warning("host ports",
            $"{engine.Description} publishes ports as your user, and this kernel lets only root bind ports below {start} " +
            $"(net.ipv4.ip_unprivileged_port_start): {string.Join(", ", low.Select(p => $"{p.Port} ({p.Variable})"))} would fail with \"cannot expose privileged port\"",
            $"move them in .env.local ({string.Join(", ", low.Select(p => $"{p.Variable}={p.Port + 8000}"))}), or let users bind from {lowest}: " +
            $"sudo sysctl net.ipv4.ip_unprivileged_port_start={lowest}, kept across reboots in /etc/sysctl.d/99-rootless.conf" +
            (engine.Kind == EngineKind.RootlessDocker
                ? " (or give rootlesskit the capability: sudo setcap cap_net_bind_service=ep $(which rootlesskit); systemctl --user restart docker)"
                : ""));
    }

    internal HostCheck Kubeconfig(string path)
    {
        const string name = "kubeconfig";
        var fix = "point KUBECONFIG's first entry at a file you can write (kind writes the cluster's context there), or fix the permissions";
        if (Directory.Exists(path))
            return HostCheck.Failure(name, $"{path} is a directory, and kind writes the cluster's context into that file", fix);
        if (!host.CanWrite(path))
            return HostCheck.Failure(name, File.Exists(path) ? $"{path} is not writable" : $"{path} does not exist and cannot be created there", fix);
        return HostCheck.Ok(name, File.Exists(path) ? $"{path} is writable" : $"{path} will be created");
    }

    /// <summary>kind writes to the first file of KUBECONFIG, or to ~/.kube/config when it is unset.</summary>
    public static string KubeconfigTarget(string? kubeconfigVariable, string home) =>
        (kubeconfigVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
        ?? Path.Combine(home, ".kube", "config");

    static long? ParseLong(string? text) => long.TryParse(text, out var value) ? value : null;

    static string? FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}
