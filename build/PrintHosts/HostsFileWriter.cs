using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Text;
using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.PrintHosts;

/// <summary>What <see cref="HostsFileWriter.Update"/> did: the file really written (a symlink's target) and its backup.</summary>
internal sealed record HostsFileUpdate(bool Changed, string WrittenPath, string? BackupPath);

/// <summary>
/// Edits a hosts file without ever losing it: the new text goes to a temporary file in the same folder, is flushed to
/// disk, gets the original's mode and owner, and replaces the original with one rename, so a reader (or a crash) sees
/// the old file or the new one, never half of one. A symlink (/etc/hosts on some systems) is kept: its target is
/// written. The previous content is kept in &lt;file&gt;.&lt;block&gt;.bak before every change, and nothing is written
/// when the content would not change.
/// </summary>
internal static class HostsFileWriter
{
    /// <summary>A new hosts file must be readable by everyone (every program resolves names through it), whatever the umask.</summary>
    const UnixFileMode NewFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    const int ReadOnlyFileSystem = 30;   // EROFS, the same number on Linux and macOS
    const int NoSpaceLeft = 28;          // ENOSPC

    /// <summary>
    /// Bytes map one to one onto Latin-1 characters, so every byte of the user's lines (UTF-8 comments, a BOM, stray
    /// bytes) is written back exactly as read; what the build adds is ASCII.
    /// </summary>
    static readonly Encoding Bytes = Encoding.Latin1;

    public static HostsFileUpdate Update(string path, string blockName, Func<string, string> update)
    {
        var target = Target(path);
        try
        {
            var original = File.Exists(target) ? File.ReadAllBytes(target) : null;
            var existing = original is null ? "" : Bytes.GetString(original);
            var updated = update(existing);
            if (updated == existing && original is not null) return new HostsFileUpdate(false, target, null);

            var backup = original is null ? null : $"{target}.{blockName}.bak";
            if (backup is not null) Replace(backup, original!, target);
            Replace(target, Bytes.GetBytes(updated), original is null ? null : target, expected: original);
            return new HostsFileUpdate(true, target, backup);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BuildFailure(Explain(path, e), e);
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> through a temporary file and a rename, with the mode
    /// and owner of <paramref name="like"/> (a new file's otherwise). With <paramref name="expected"/>, refuses to replace
    /// a file that changed since it was read (an editor saved it meanwhile): that edit would be lost.
    /// </summary>
    static void Replace(string path, byte[] content, string? like, byte[]? expected = null)
    {
        var folder = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, like is null ? NewFileMode : File.GetUnixFileMode(like));
                if (like is not null) KeepOwner(temporary, like);
            }
            if (expected is not null && (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(expected)))
                throw new BuildFailure($"{path} changed while PrintHosts was updating it (an editor saved it?). Nothing was written: " +
                    "run the same command again.");
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>The file to read and replace: the path itself, or the final target when it is a symlink (so the link stays a link).</summary>
    static string Target(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0'))
            throw new BuildFailure($"--hosts-file='{path}' is not a file path. Pass the hosts file, e.g. --hosts-file=/etc/hosts.");
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new BuildFailure($"--hosts-file={path} is a directory, not a hosts file. Pass the file itself, e.g. --hosts-file=/etc/hosts.");
        var target = new FileInfo(full).LinkTarget is null ? full : new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        if (Directory.Exists(target))
            throw new BuildFailure($"--hosts-file={path} points to {target}, which is a directory, not a hosts file. Pass the file itself, e.g. --hosts-file=/etc/hosts.");
        var folder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(folder))
            throw new BuildFailure($"--hosts-file={path}: the folder {folder} does not exist. Check the path (the system's hosts file is /etc/hosts).");
        return target;
    }

    /// <summary>A message that fits the cause: sudo only when permission is what is missing.</summary>
    public static string Explain(string path, Exception e) => e switch
    {
        UnauthorizedAccessException when path.StartsWith("/mnt/", StringComparison.Ordinal) =>
            $"Permission denied writing {path}: this is a Windows file, and sudo inside WSL cannot change it. Open the file in an " +
            "editor started with \"Run as administrator\" and paste the lines above, or start your WSL terminal as administrator and run the same command.",
        UnauthorizedAccessException =>
            $"Permission denied writing {path}. Run the same command with sudo (sudo ./build.sh --target=PrintHosts --hosts-file={path}), " +
            "or paste the lines above into it by hand.",
        IOException { HResult: ReadOnlyFileSystem } =>
            $"{path} is on a read-only file system, so it cannot be changed here, whatever the user or privileges. Nothing was written: " +
            "add the lines above where this system keeps its writable hosts entries, or by hand where the file is writable.",
        IOException { HResult: NoSpaceLeft } =>
            $"No space left on the device of {path}. Nothing was changed: free some space, then run the same command again.",
        _ => $"Cannot write {path}: {e.Message.TrimEnd('.')}. Nothing was changed: paste the lines above into it by hand.",
    };

    /// <summary>
    /// Gives the replacement the original's owner and group (a root-run PrintHosts on a user's file must not make it root's).
    /// .NET has no API to read a file's owner; its tar writer reads them (as tar must), so a one-entry archive in memory
    /// tells them without native structure layouts.
    /// </summary>
    static void KeepOwner(string file, string like)
    {
        var (uid, gid) = Owner(like);
        if (Owner(file) == (uid, gid)) return;
        if (Chown(file, uid, gid) != 0)
            throw new UnauthorizedAccessException($"cannot give the new file the owner of {like} (uid {uid}, gid {gid})");
    }

    internal static (int Uid, int Gid) Owner(string file)
    {
        using var archive = new MemoryStream();
        using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true)) writer.WriteEntry(file, "f");
        archive.Position = 0;
        using var reader = new TarReader(archive);
        var entry = (PosixTarEntry)reader.GetNextEntry()!;
        return (entry.Uid, entry.Gid);
    }

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    static extern int Chown(string path, int owner, int group);
}
