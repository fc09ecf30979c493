using System.Runtime.InteropServices;
using CliWrap;
using CliWrap.Buffered;
using DataPlatform.Build.Tests.Infrastructure;
using Npgsql;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>
/// A throw-away PostgreSQL 15 server: initdb in a temp dir, trust auth (or scram with a password, for tests of
/// logging in), listening on a free port of 127.0.0.1 with its socket in the same dir. initdb refuses to run as
/// root, so as root every server command runs as the postgres user (runuser) and the dir is handed to that user.
/// </summary>
public sealed class PostgresServer(string? password = null) : IAsyncLifetime
{
    /// <summary>
    /// Debian's layout, version 15 when present, else the newest version above it (Ubuntu 24.04 ships 16). ./test.sh
    /// installs by the same rule, so what it installs is what is found here.
    /// </summary>
    private static readonly string? BinDir = FindBinDir("/usr/lib/postgresql");
    private const string ServiceUser = "postgres";

    private DirectoryInfo? _dir;
    private bool _started;

    public int Port { get; private set; }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Password = password,
            Database = database,
            Pooling = false,
            Timeout = 15,
        }.ConnectionString;

    public async Task InitializeAsync()
    {
        if (BinDir is null)
        {
            throw new InvalidOperationException(
                "PostgreSQL server binaries (version 15 or later, initdb and pg_ctl under /usr/lib/postgresql/<version>/bin) are missing: " +
                "the sample SQL and the PostgreSQL probe are tested against a real server. Run ./test.sh, which installs them, " +
                "or: sudo apt-get install postgresql-15 (where the distribution has no 15: its postgresql package, if 15 or later).");
        }

        _dir = Directory.CreateTempSubdirectory("pg-source-sql-");
        if (IsRoot)
        {
            await RunAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", _dir.FullName], asServiceUser: false);
        }

        Port = LoopbackServer.FreePort();
        var data = Path.Combine(_dir.FullName, "data");
        string[] auth = ["-A", "trust"];
        if (password is not null)
        {
            var pwfile = Path.Combine(_dir.FullName, "pwfile");
            await File.WriteAllTextAsync(pwfile, password);
            if (IsRoot) await RunAsync("chown", [$"{ServiceUser}:{ServiceUser}", pwfile], asServiceUser: false);
            auth = ["-A", "scram-sha-256", "--pwfile=" + pwfile];
        }
        await RunAsync(Path.Combine(BinDir!, "initdb"), ["-D", data, "-U", "postgres", .. auth, "-E", "UTF8", "--locale=C"]);
        await RunAsync(Path.Combine(BinDir!, "pg_ctl"),
        [
            "-D", data, "-l", Path.Combine(_dir.FullName, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_dir.FullName} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ]);
        _started = true;
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_started && _dir is not null)
            {
                await RunAsync(Path.Combine(BinDir!, "pg_ctl"), ["-D", Path.Combine(_dir.FullName, "data"), "-m", "fast", "-w", "stop"]);
            }
        }
        finally
        {
            _dir?.Delete(recursive: true);
        }
    }

    internal static string? FindBinDir(string root)
    {
        static bool HasServer(string bin) => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl"));
        var versions = Directory.Exists(root)
            ? Directory.EnumerateDirectories(root)
                .Select(dir => int.TryParse(Path.GetFileName(dir), out var version) ? version : 0)
                .Where(version => version >= 15 && HasServer(Path.Combine(root, version.ToString(), "bin")))
                .ToList()
            : [];
        if (versions.Count == 0) return null;
        var chosen = versions.Contains(15) ? 15 : versions.Max();
        return Path.Combine(root, chosen.ToString(), "bin");
    }

    private static bool IsRoot => OperatingSystem.IsLinux() && geteuid() == 0;

    [DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();

    private async Task RunAsync(string program, IReadOnlyList<string> args, bool asServiceUser = true)
    {
        var command = asServiceUser && IsRoot
            ? Cli.Wrap("runuser").WithArguments(["-u", ServiceUser, "--", program, .. args])
            : Cli.Wrap(program).WithArguments(args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await command.WithWorkingDirectory(_dir?.FullName ?? Path.GetTempPath())
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token);
        if (result.ExitCode != 0)
        {
            var log = _dir is null ? string.Empty : ReadServerLog(_dir.FullName);
            throw new InvalidOperationException(
                $"{command.TargetFilePath} {command.Arguments} exited with {result.ExitCode}:\n{result.StandardError}\n{result.StandardOutput}\n{log}");
        }
    }

    private static string ReadServerLog(string dir)
    {
        var path = Path.Combine(dir, "server.log");
        return File.Exists(path) ? "server.log:\n" + File.ReadAllText(path) : string.Empty;
    }
}
