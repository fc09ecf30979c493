using DataPlatform.Build.Host;

namespace DataPlatform.Build.Tests.Host;

/// <summary>
/// A machine as the Doctor sees it, for unit tests: /proc is a real directory tree under a temporary root (read by the
/// real <see cref="LocalHostSystem"/>), while disk space, listening ports, writability and the control-plane probe are
/// set by the test, so no test depends on the machine it runs on.
/// </summary>
internal sealed class FakeHost : IHostSystem, IDisposable
{
    readonly string _procRoot = Directory.CreateTempSubdirectory("doctor-proc-").FullName;
    readonly LocalHostSystem _proc;

    public FakeHost(long maxUserWatches = 524288, long maxUserInstances = 512)
    {
        _proc = new LocalHostSystem(_procRoot);
        SetInotify(maxUserWatches, maxUserInstances);
    }

    public DiskSpace? Disk { get; set; } = new(200L << 30, 500L << 30);
    public HashSet<int> Listening { get; } = [];
    public HashSet<string> ReadOnlyPaths { get; } = [];
    public bool ControlPlaneAnswers { get; set; }
    public List<string> Probed { get; } = [];

    public void SetInotify(long watches, long instances)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_procRoot, "sys", "fs", "inotify")).FullName;
        File.WriteAllText(Path.Combine(dir, "max_user_watches"), $"{watches}\n");
        File.WriteAllText(Path.Combine(dir, "max_user_instances"), $"{instances}\n");
    }

    /// <summary>net.ipv4.ip_unprivileged_port_start; unset, the file is absent (as before Linux 4.11: 1024 fixed).</summary>
    public void SetUnprivilegedPortStart(int port)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_procRoot, "sys", "net", "ipv4")).FullName;
        File.WriteAllText(Path.Combine(dir, "ip_unprivileged_port_start"), $"{port}\n");
    }

    public string? ReadProc(string relativePath) => _proc.ReadProc(relativePath);

    public DiskSpace? SpaceAt(string path) => Disk;

    public Task<bool> IsListeningAsync(int port, CancellationToken ct) => Task.FromResult(Listening.Contains(port));

    public bool CanWrite(string path) => !ReadOnlyPaths.Contains(path) && _proc.CanWrite(path);

    public Task<bool> AnswersAsync(string address, int port, TimeSpan timeout, CancellationToken ct)
    {
        Probed.Add($"{address}:{port}");
        return Task.FromResult(ControlPlaneAnswers);
    }

    public void Dispose()
    {
        try { Directory.Delete(_procRoot, recursive: true); } catch (IOException) { }
    }
}
