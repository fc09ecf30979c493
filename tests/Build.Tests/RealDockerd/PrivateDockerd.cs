using System.Net;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;

namespace DataPlatform.Build.Tests.RealDockerd;

/// <summary>
/// One dockerd of the tests' own, as root: its own data-root, exec-root, pidfile and socket, so it never meets the
/// machine's Docker (/var/run/docker.sock), its containers or its networks. It changes nothing outside its directory:
/// <list type="bullet">
/// <item>--iptables=false: no NAT or filter rules on the host (a published port is forwarded by docker-proxy on 127.0.0.1 alone);</item>
/// <item>--bridge=none: no docker0; the only bridges are the networks the tests create, removed before the daemon stops
/// (a stopped dockerd leaves its br-* bridges behind);</item>
/// <item>--storage-driver=vfs: plain directories, no overlay mounts left on the host;</item>
/// <item>--default-address-pool: a /16 of 10.0.0.0/8 that no route of this machine uses (see <see cref="ChooseAddressPool"/>).</item>
/// </list>
/// </summary>
public sealed class PrivateDockerd : IAsyncDisposable
{
    /// <summary>dockerd answers within a second here; a daemon that has not answered after this never will.</summary>
    static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);
    static readonly TimeSpan StopBound = TimeSpan.FromSeconds(30);

    PrivateDockerd(string directory, string dockerd, string cli, string pool)
    {
        Directory = directory;
        Dockerd = dockerd;
        CliPath = cli;
        AddressPool = pool;
    }

    /// <summary>Everything of the daemon lives here: data, exec root, socket, pidfile, log, the CLI's own config.</summary>
    public string Directory { get; }
    public string Dockerd { get; }
    /// <summary>The docker CLI the tests and the build use (the machine's newest: /usr/local/bin/docker before /usr/bin/docker).</summary>
    public string CliPath { get; }
    /// <summary>The /16 the daemon's networks take their /24s from.</summary>
    public string AddressPool { get; }
    public string Socket => Path.Combine(Directory, "docker.sock");
    public string Host => "unix://" + Socket;
    /// <summary>A private DOCKER_CONFIG: the user's ~/.docker (credentials, contexts) is never read or written.</summary>
    public string ConfigDirectory => Path.Combine(Directory, "cli-config");
    public string LogFile => Path.Combine(Directory, "dockerd.log");
    string PidFile => Path.Combine(Directory, "dockerd.pid");

    /// <summary>What the docker CLI needs to talk to this daemon and nothing else.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["DOCKER_HOST"] = Host,
        ["DOCKER_CONFIG"] = ConfigDirectory,
    };

    /// <summary>Why this machine cannot run a private daemon, or null when it can (root, dockerd and a docker CLI present).</summary>
    public static string? WhyUnavailable()
    {
        if (!System.Environment.IsPrivilegedProcess)
            return "not root: a private dockerd needs root (run ./test.sh as root, as CI does)";
        if (FindDockerd() is null)
            return "dockerd is not installed: ./test.sh installs docker.io (or: sudo apt-get install docker.io)";
        if (FindCli() is null)
            return "no docker CLI on PATH: ./test.sh installs docker.io, which brings one";
        return null;
    }

    public static async Task<PrivateDockerd> StartAsync()
    {
        var dockerd = FindDockerd()!;
        var cli = FindCli()!;
        var pool = ChooseAddressPool(await RoutesAsync());
        // A short path: a unix socket's path must stay under 108 bytes.
        var directory = System.IO.Directory.CreateTempSubdirectory("dockerd-").FullName;
        var daemon = new PrivateDockerd(directory, dockerd, cli, pool);
        System.IO.Directory.CreateDirectory(daemon.ConfigDirectory);
        string[] argv =
        [
            "--data-root", Path.Combine(directory, "data"), "--exec-root", Path.Combine(directory, "exec"),
            "--pidfile", daemon.PidFile, "--host", daemon.Host,
            "--iptables=false", "--ip-masq=false", "--bridge=none", "--storage-driver=vfs",
            "--default-address-pool", $"base={pool},size=24",
        ];
        // setsid: the daemon is not in the test host's process group, so a Ctrl+C of the test run reaches it only through DisposeAsync.
        // On a host still on cgroup v1 (this kind of CI machine), the daemon gets a cgroup2 hierarchy of its own, mounted in a
        // private mount namespace (nothing changes for the host): the build's Doctor refuses cgroup v1, rightly for real kind
        // nodes, and would stop every Up before the docker side these tests are about. The busybox node stand-ins need no
        // cgroup controllers, and the daemon then reports cgroup v2 as current distributions' engines do.
        var script = "exec \"$0\" \"$@\" >\"$LOG\" 2>&1";
        string[] launcher = File.Exists("/sys/fs/cgroup/cgroup.controllers")
            ? ["-f", "sh", "-c", script]
            : ["-f", "unshare", "--mount", "--propagation", "private", "sh", "-c", "mount -t cgroup2 none /sys/fs/cgroup && " + script];
        var start = await CliWrap.Cli.Wrap("setsid").WithArguments([.. launcher, dockerd, .. argv])
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["LOG"] = daemon.LogFile })
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        if (start.ExitCode != 0) throw new InvalidOperationException($"could not start {dockerd}: {start.StandardError}");

        var started = DateTime.UtcNow;
        while (true)
        {
            var version = await daemon.TryDockerAsync("version", "--format", "{{.Server.Version}}");
            if (version.ExitCode == 0) return daemon;
            var waited = DateTime.UtcNow - started;
            // A daemon that exited (a flag it does not know, a data-root it cannot use) is not waited for.
            if (waited > StartBound || waited > TimeSpan.FromSeconds(5) && !daemon.Running)
            {
                var log = File.Exists(daemon.LogFile) ? string.Join('\n', File.ReadLines(daemon.LogFile).TakeLast(5)) : "";
                await daemon.DisposeAsync();
                throw new InvalidOperationException($"the private dockerd did not answer within {waited.TotalSeconds:0} s; its log ends:\n{log}");
            }
            await Task.Delay(200);
        }
    }

    bool Running => ReadPid() is { } pid && System.IO.Directory.Exists($"/proc/{pid}");

    int? ReadPid() => File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid) ? pid : null;

    /// <summary>Runs the docker CLI against this daemon; the caller decides what a failure means.</summary>
    public async Task<BufferedCommandResult> TryDockerAsync(params string[] arguments) =>
        await CliWrap.Cli.Wrap(CliPath).WithArguments(arguments).WithEnvironmentVariables(Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value))
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

    public async Task<string> DockerAsync(params string[] arguments)
    {
        var result = await TryDockerAsync(arguments);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"docker {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError}{result.StandardOutput}");
        return result.StandardOutput;
    }

    /// <summary>The bridges of this daemon's networks (br-&lt;first 12 of the id&gt;), as `ip link` shows them.</summary>
    public async Task<IReadOnlyList<string>> BridgesAsync()
    {
        var ids = await TryDockerAsync("network", "ls", "--no-trunc", "--filter", "driver=bridge", "--format", "{{.ID}}");
        return ids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(id => "br-" + id[..12]).ToList();
    }

    /// <summary>
    /// Removes every container and network the tests made (a stopped dockerd would leave the networks' bridges on the
    /// host), then stops the daemon, bounded, and deletes its directory.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Running)
        {
            var containers = (await TryDockerAsync("ps", "--all", "--quiet")).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (containers.Length > 0) await TryDockerAsync(["rm", "--force", "--volumes", .. containers]);
            var networks = (await TryDockerAsync("network", "ls", "--filter", "type=custom", "--quiet")).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (networks.Length > 0) await TryDockerAsync(["network", "rm", .. networks]);
            if (ReadPid() is { } pid)
            {
                await CliWrap.Cli.Wrap("kill").WithArguments(["-TERM", pid.ToString()]).WithValidation(CommandResultValidation.None).ExecuteAsync();
                var deadline = DateTime.UtcNow + StopBound;
                while (System.IO.Directory.Exists($"/proc/{pid}") && DateTime.UtcNow < deadline) await Task.Delay(100);
                if (System.IO.Directory.Exists($"/proc/{pid}"))
                    await CliWrap.Cli.Wrap("kill").WithArguments(["-KILL", pid.ToString()]).WithValidation(CommandResultValidation.None).ExecuteAsync();
            }
        }
        // vfs layers are plain directories; anything mounted (a container's shm) is gone with the daemon.
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// A /16 of 10.0.0.0/8 that no route of this machine touches. Docker's own default pools are 172.17.0.0/16 to
    /// 172.31.0.0/16 and 192.168.0.0/16 (libnetwork ipamutils), so a Docker the user runs with its defaults never takes
    /// an address from it, and the check against `ip route` keeps it off a LAN, VPN or custom Docker pool in 10/8.
    /// The range starts high (10.200-10.254), where home and office networks rarely are, and the pick is random, so two
    /// test runs at once rarely meet (dockerd refuses a bridge whose subnet overlaps a route, so they never clash silently).
    /// </summary>
    public static string ChooseAddressPool(IEnumerable<string> routeDestinations)
    {
        var used = routeDestinations.Select(ParseNetwork).OfType<(uint Network, int Prefix)>().ToList();
        var free = Enumerable.Range(200, 55).Where(second =>
        {
            var candidate = (10u << 24) | ((uint)second << 16);
            return used.All(u => !Overlaps((candidate, 16), u));
        }).ToList();
        if (free.Count == 0) throw new InvalidOperationException("every 10.200-254.0.0/16 is routed on this machine: no address pool is free for the private dockerd");
        return $"10.{free[Random.Shared.Next(free.Count)]}.0.0/16";
    }

    static bool Overlaps((uint Network, int Prefix) a, (uint Network, int Prefix) b)
    {
        var prefix = Math.Min(a.Prefix, b.Prefix);
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (a.Network & mask) == (b.Network & mask);
    }

    static (uint, int)? ParseNetwork(string destination)
    {
        if (destination == "default") return null;   // the default route covers everything and says nothing about use
        var parts = destination.Split('/');
        if (!IPAddress.TryParse(parts[0], out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) return null;
        var prefix = parts.Length > 1 && int.TryParse(parts[1], out var p) ? p : 32;
        var bytes = address.GetAddressBytes();
        return (((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3], prefix);
    }

    /// <summary>The destinations of every IPv4 route in every table (`ip -4 route show table all`).</summary>
    static async Task<IReadOnlyList<string>> RoutesAsync()
    {
        var routes = await CliWrap.Cli.Wrap("ip").WithArguments(["-4", "route", "show", "table", "all"]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        return routes.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => Regex.Match(line, @"^(?:(?:local|broadcast|unicast|unreachable|blackhole|prohibit)\s+)?(\S+)").Groups[1].Value)
            .Where(d => d.Length > 0).ToList();
    }

    static string? FindDockerd() => new[] { "/usr/sbin/dockerd", "/usr/bin/dockerd" }.FirstOrDefault(File.Exists);

    static string? FindCli() =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/local/bin").Append("/usr/bin")
            .Where(d => d.Length > 0).Select(d => Path.Combine(d, "docker")).FirstOrDefault(File.Exists);
}
