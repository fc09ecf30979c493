using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace DataPlatform.Build.Host;

/// <summary>Free and total bytes of the filesystem holding a path.</summary>
internal sealed record DiskSpace(long Free, long Total);

/// <summary>
/// What the Doctor reads from the machine itself, read-only and without root. Tests pass a fake /proc root (or a fake
/// implementation) so the same checks run against any situation.
/// </summary>
internal interface IHostSystem
{
    /// <summary>A file under /proc (e.g. "sys/fs/inotify/max_user_watches"), trimmed; null when absent or unreadable.</summary>
    string? ReadProc(string relativePath);

    /// <summary>The filesystem holding <paramref name="path"/>; null when the path does not exist on this machine.</summary>
    DiskSpace? SpaceAt(string path);

    /// <summary>Whether something on this machine already listens on the TCP port (any address).</summary>
    Task<bool> IsListeningAsync(int port, CancellationToken ct);

    /// <summary>Whether this process may write the path (the file itself, or the directory a new file would go in).</summary>
    bool CanWrite(string path);

    /// <summary>Whether a TCP connection to address:port opens within the timeout.</summary>
    Task<bool> AnswersAsync(string address, int port, TimeSpan timeout, CancellationToken ct);
}

internal sealed class LocalHostSystem(string procRoot = "/proc") : IHostSystem
{
    static readonly TimeSpan LocalConnectTimeout = TimeSpan.FromMilliseconds(500);

    public string? ReadProc(string relativePath)
    {
        try { return File.ReadAllText(Path.Combine(procRoot, relativePath)).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public DiskSpace? SpaceAt(string path)
    {
        if (!Directory.Exists(path)) return null;
        try
        {
            var drive = new DriveInfo(path);
            return new DiskSpace(drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return null; }
    }

    /// <summary>On Linux the kernel's socket tables (/proc/net/tcp, tcp6) say it without touching the port; elsewhere a local connect does.</summary>
    public async Task<bool> IsListeningAsync(int port, CancellationToken ct)
    {
        var tables = new[] { "net/tcp", "net/tcp6" }.Select(ReadProc).Where(t => t is not null).ToList();
        if (tables.Count > 0) return tables.Any(table => ListeningPorts(table!).Contains(port));
        return await AnswersAsync("127.0.0.1", port, LocalConnectTimeout, ct);
    }

    /// <summary>Ports in state LISTEN (0A) in a /proc/net/tcp table: "sl local_address(hex ip:hex port) rem_address st ...".</summary>
    internal static HashSet<int> ListeningPorts(string table)
    {
        var ports = new HashSet<int>();
        foreach (var line in table.Split('\n').Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || fields[3] != "0A") continue;
            var local = fields[1];
            var colon = local.LastIndexOf(':');
            if (colon > 0 && int.TryParse(local[(colon + 1)..], System.Globalization.NumberStyles.HexNumber, null, out var port))
                ports.Add(port);
        }
        return ports;
    }

    public bool CanWrite(string path)
    {
        if (File.Exists(path)) return Access(path, WriteOk);
        // A new file: the nearest existing ancestor must be a directory this process can write into.
        for (var dir = Path.GetDirectoryName(Path.GetFullPath(path)); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(dir)) return false;
            if (Directory.Exists(dir)) return Access(dir, WriteOk | ExecuteOk);
        }
        return false;
    }

    public async Task<bool> AnswersAsync(string address, int port, TimeSpan timeout, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(timeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address, port, bounded.Token);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return false; }
        catch (SocketException) { return false; }
    }

    const int WriteOk = 2, ExecuteOk = 1;

    /// <summary>access(2): the kernel's own answer for this process (it honours root, ACLs and read-only mounts).</summary>
    static bool Access(string path, int mode) =>
        OperatingSystem.IsWindows() ? !new FileInfo(path).IsReadOnly : NativeAccess(path, mode) == 0;

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    static extern int NativeAccess([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
}
