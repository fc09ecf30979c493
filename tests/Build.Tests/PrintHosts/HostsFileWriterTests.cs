using DataPlatform.Build.Frosting;
using DataPlatform.Build.PrintHosts;

namespace DataPlatform.Build.Tests.PrintHosts;

/// <summary>Writing the hosts file never loses it: real files in a temporary folder, as PrintHosts --hosts-file writes them.</summary>
public sealed class HostsFileWriterTests : IDisposable
{
    const string Block = "data-platform";
    readonly string _folder = Directory.CreateTempSubdirectory("hosts-writer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static string AddLine(string text) => text + "# BEGIN data-platform\n1.2.3.4 a.x\n# END data-platform\n";

    [Fact]
    public void The_file_is_replaced_with_its_mode_kept_and_the_previous_content_in_a_backup()
    {
        var hosts = Path.Combine(_folder, "hosts");
        File.WriteAllText(hosts, "127.0.0.1 localhost\n");
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(hosts, mode);

        var result = HostsFileWriter.Update(hosts, Block, AddLine);

        Assert.True(result.Changed);
        Assert.Equal(AddLine("127.0.0.1 localhost\n"), File.ReadAllText(hosts));
        Assert.Equal(mode, File.GetUnixFileMode(hosts));
        Assert.Equal($"{hosts}.{Block}.bak", result.BackupPath);
        Assert.Equal("127.0.0.1 localhost\n", File.ReadAllText(result.BackupPath!));
        Assert.Equal(mode, File.GetUnixFileMode(result.BackupPath!));
        Assert.Equal(["hosts", $"hosts.{Block}.bak"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order());   // no temporary left
    }

    [Fact]
    public void The_owner_is_kept_when_root_writes_someone_elses_file()
    {
        var hosts = Path.Combine(_folder, "hosts");
        File.WriteAllText(hosts, "127.0.0.1 localhost\n");
        if (Environment.UserName != "root") return;   // only root can hand a file to another user; the suite runs as root
        RunChown("65534:65534", hosts);

        HostsFileWriter.Update(hosts, Block, AddLine);

        Assert.Equal((65534, 65534), HostsFileWriter.Owner(hosts));
        Assert.Equal(AddLine("127.0.0.1 localhost\n"), File.ReadAllText(hosts));
    }

    [Fact]
    public void A_symlinked_hosts_file_stays_a_link_and_its_target_is_written()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "real"));
        var target = Path.Combine(_folder, "real", "hosts");
        File.WriteAllText(target, "127.0.0.1 localhost\n");
        var link = Path.Combine(_folder, "hosts");
        File.CreateSymbolicLink(link, Path.Combine("real", "hosts"));   // relative, as /etc/hosts links often are

        var result = HostsFileWriter.Update(link, Block, AddLine);

        Assert.Equal(Path.Combine("real", "hosts"), new FileInfo(link).LinkTarget);
        Assert.Equal(target, result.WrittenPath);
        Assert.Equal(AddLine("127.0.0.1 localhost\n"), File.ReadAllText(target));
        Assert.True(File.Exists(target + $".{Block}.bak"));
    }

    [Fact]
    public void Nothing_is_written_when_nothing_changes()
    {
        var hosts = Path.Combine(_folder, "hosts");
        File.WriteAllText(hosts, AddLine(""));
        var before = File.GetLastWriteTimeUtc(hosts);
        Thread.Sleep(20);

        var result = HostsFileWriter.Update(hosts, Block, text => text);

        Assert.False(result.Changed);
        Assert.Equal(before, File.GetLastWriteTimeUtc(hosts));
        Assert.False(File.Exists($"{hosts}.{Block}.bak"));
    }

    [Fact]
    public void Every_byte_of_the_users_lines_survives_whatever_its_encoding()
    {
        var hosts = Path.Combine(_folder, "hosts");
        byte[] original = [0xEF, 0xBB, 0xBF, .. "# café\r\n"u8, 0xE9, 0xFF, (byte)'\n'];   // a BOM, UTF-8, stray Latin-1 bytes
        File.WriteAllBytes(hosts, original);

        HostsFileWriter.Update(hosts, Block, AddLine);

        Assert.Equal([.. original, .. "# BEGIN data-platform\n1.2.3.4 a.x\n# END data-platform\n"u8], File.ReadAllBytes(hosts));
    }

    [Fact]
    public void A_new_file_is_readable_by_everyone_whatever_the_umask()
    {
        var hosts = Path.Combine(_folder, "new-hosts");

        var result = HostsFileWriter.Update(hosts, Block, AddLine);

        Assert.Null(result.BackupPath);
        Assert.True(File.GetUnixFileMode(hosts).HasFlag(UnixFileMode.OtherRead));
    }

    [Fact]
    public void A_file_changed_while_it_was_being_updated_is_left_as_the_other_writer_left_it()
    {
        var hosts = Path.Combine(_folder, "hosts");
        File.WriteAllText(hosts, "127.0.0.1 localhost\n");

        var error = Assert.Throws<BuildFailure>(() => HostsFileWriter.Update(hosts, Block, text =>
        {
            File.AppendAllText(hosts, "10.0.0.1 saved.by.an.editor\n");
            return AddLine(text);
        }));

        Assert.Contains("changed while", error.Message);
        Assert.Equal("127.0.0.1 localhost\n10.0.0.1 saved.by.an.editor\n", File.ReadAllText(hosts));
    }

    [Fact]
    public void A_directory_says_it_is_one()
    {
        var error = Assert.Throws<BuildFailure>(() => HostsFileWriter.Update(_folder, Block, AddLine));
        Assert.Contains("is a directory", error.Message);
        Assert.DoesNotContain("sudo", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_path_is_refused_with_an_example(string path)
    {
        var error = Assert.Throws<BuildFailure>(() => HostsFileWriter.Update(path, Block, AddLine));
        Assert.Contains("--hosts-file=/etc/hosts", error.Message);
    }

    [Fact]
    public void A_missing_folder_is_named()
    {
        var path = Path.Combine(_folder, "no-such-folder", "hosts");
        var error = Assert.Throws<BuildFailure>(() => HostsFileWriter.Update(path, Block, AddLine));
        Assert.Contains($"the folder {Path.GetDirectoryName(path)} does not exist", error.Message);
        Assert.DoesNotContain("sudo", error.Message);
    }

    [Fact]
    public void Sudo_is_suggested_only_when_permission_is_the_cause()
    {
        Assert.Contains("sudo ./build.sh --target=PrintHosts --hosts-file=/etc/hosts",
            HostsFileWriter.Explain("/etc/hosts", new UnauthorizedAccessException("Access to the path is denied.")));
        // The errno .NET reports for a read-only file system (EROFS) and a full disk (ENOSPC).
        Assert.DoesNotContain("sudo", HostsFileWriter.Explain("/etc/hosts", new IOException("Read-only file system", 30)));
        Assert.Contains("read-only file system", HostsFileWriter.Explain("/etc/hosts", new IOException("Read-only file system", 30)));
        Assert.Contains("No space left", HostsFileWriter.Explain("/etc/hosts", new IOException("No space left on device", 28)));
        // On WSL the Windows file needs Windows' administrator rights, which sudo does not give.
        Assert.Contains("administrator", HostsFileWriter.Explain(PrintHostsService.WindowsHostsFile, new UnauthorizedAccessException()));
    }

    [Fact]
    public void A_read_only_file_system_is_named_as_such_and_sudo_is_not_suggested()
    {
        var readOnly = Path.Combine(_folder, "ro");
        Directory.CreateDirectory(readOnly);
        // A real read-only mount where the machine allows it (root with CAP_SYS_ADMIN, as here); elsewhere the errno
        // .NET reports for EROFS stands in for it.
        if (Run("mount", "-t", "tmpfs", "-o", "ro", "tmpfs", readOnly) != 0)
        {
            Assert.DoesNotContain("sudo", HostsFileWriter.Explain("/etc/hosts", new IOException("Read-only file system", 30)));
            return;
        }
        try
        {
            var error = Assert.Throws<BuildFailure>(() => HostsFileWriter.Update(Path.Combine(readOnly, "hosts"), Block, AddLine));
            Assert.Contains("read-only file system", error.Message);
            Assert.DoesNotContain("sudo", error.Message);
        }
        finally
        {
            Run("umount", readOnly);
        }
    }

    /// <summary>What PrintHosts --hosts-file does: the block replaced by ReplaceBlock, written by the writer.</summary>
    static HostsFileUpdate PrintHosts(string path, IReadOnlyList<HostsLine> lines) =>
        HostsFileWriter.Update(path, Block, text => HostsFile.ReplaceBlock(text, Block, lines));

    static readonly HostsLine[] PlatformLines = [new("127.0.0.1", ["minio.data-platform.internal", "s3.data-platform.internal"])];

    [Fact]
    public void A_windows_hosts_file_keeps_its_crlf_bytes_and_gets_a_crlf_block_and_a_backup()
    {
        // C:\Windows\System32\drivers\etc\hosts as Windows ships it (seen from WSL as /mnt/c/...), with a user entry.
        var original = "# Copyright (c) 1993-2009 Microsoft Corp.\r\n#\r\n#      102.54.94.97     rhino.acme.com          # source server\r\n" +
                       "\r\n# localhost name resolution is handled within DNS itself.\r\n#\t127.0.0.1       localhost\r\n10.0.0.5 nas.home\r\n";
        var hosts = Path.Combine(_folder, "hosts");
        File.WriteAllBytes(hosts, System.Text.Encoding.Latin1.GetBytes(original));

        var first = PrintHosts(hosts, PlatformLines);
        var written = File.ReadAllBytes(hosts);

        Assert.True(first.Changed);
        Assert.Equal(original + "# BEGIN data-platform\r\n127.0.0.1 minio.data-platform.internal s3.data-platform.internal\r\n# END data-platform\r\n",
            System.Text.Encoding.Latin1.GetString(written));
        Assert.Equal(System.Text.Encoding.Latin1.GetBytes(original), File.ReadAllBytes(first.BackupPath!));

        // A second PrintHosts with the same lines leaves the file byte for byte as it was, and writes no new backup.
        var second = PrintHosts(hosts, PlatformLines);
        Assert.False(second.Changed);
        Assert.Equal(written, File.ReadAllBytes(hosts));

        // New addresses replace the block in place, still CRLF, and the user's lines around it keep their bytes.
        PrintHosts(hosts, [new("127.0.0.2", ["minio.data-platform.internal"])]);
        var third = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(hosts));
        Assert.Equal(original + "# BEGIN data-platform\r\n127.0.0.2 minio.data-platform.internal\r\n# END data-platform\r\n", third);
    }

    [Fact]
    public void A_file_with_mixed_endings_keeps_each_user_lines_bytes()
    {
        // A CRLF file someone appended to with a Linux editor: each line keeps the ending it has; the block follows the majority.
        var original = "127.0.0.1 localhost\r\n::1 localhost\r\n10.0.0.5 nas.home\n# café \xe9\r\n192.168.1.9 printer.lan";
        var hosts = Path.Combine(_folder, "hosts");
        File.WriteAllBytes(hosts, System.Text.Encoding.Latin1.GetBytes(original));

        PrintHosts(hosts, PlatformLines);

        Assert.Equal("127.0.0.1 localhost\r\n::1 localhost\r\n10.0.0.5 nas.home\n# café \xe9\r\n192.168.1.9 printer.lan\r\n" +
                     "# BEGIN data-platform\r\n127.0.0.1 minio.data-platform.internal s3.data-platform.internal\r\n# END data-platform\r\n",
            System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(hosts)));
    }

    static void RunChown(string owner, string path) => Assert.Equal(0, Run("chown", owner, path));

    static int Run(string program, params string[] arguments)
    {
        try
        {
            return CliWrap.Cli.Wrap(program).WithArguments(arguments).WithValidation(CliWrap.CommandResultValidation.None)
                .ExecuteAsync().GetAwaiter().GetResult().ExitCode;
        }
        catch (System.ComponentModel.Win32Exception) { return -1; }
    }
}
