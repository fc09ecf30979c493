using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using DataPlatform.Build.Process;

namespace DataPlatform.Build.Diagnostics;

/// <summary>
/// The files of a diagnostics bundle as they are gathered, then written as one .tar.gz. Every file goes through the
/// secrets' mask on the way in, so no value of .env can end up in the archive whatever a log or an event quotes. The
/// whole stays under a size bound: a file that would cross it is cut (a log keeps its end, where the failure is), and
/// says so in itself and in the index. What could not be read is recorded with the reason, for the index.
/// </summary>
internal sealed class DiagnosticsBundle(SecretMask mask, long maxBytes = DiagnosticsBundle.DefaultMaxBytes)
{
    /// <summary>20 MB: small enough for a CI artifact and an issue attachment, large enough for every log that matters.</summary>
    public const long DefaultMaxBytes = 20L * 1024 * 1024;

    /// <summary>Kept for index.md, which is written last and must always fit.</summary>
    const long IndexReserve = 64 * 1024;

    readonly List<(string Path, byte[] Content)> _files = [];
    long _used;

    public long MaxBytes => maxBytes;

    /// <summary>The files gathered so far, in the order they were added.</summary>
    public IReadOnlyList<string> Paths => _files.Select(f => f.Path).ToList();

    /// <summary>Each part that could not be read, and why (the API is down, a tool failed, ...).</summary>
    public List<(string Part, string Why)> Unreadable { get; } = [];

    /// <summary>Each file that was cut to keep the bundle under its bound.</summary>
    public List<string> Truncated { get; } = [];

    public void CouldNotRead(string part, string why) => Unreadable.Add((part, mask.Apply(why)));

    /// <summary>
    /// Adds a text file, masked. <paramref name="keepEnd"/>: when it must be cut, keep its last bytes (a log), not its
    /// first (a listing, sorted so that what matters comes first).
    /// </summary>
    public void Add(string path, string text, bool keepEnd = false)
    {
        var bytes = Encoding.UTF8.GetBytes(mask.Apply(text));
        var room = maxBytes - IndexReserve - _used;
        if (bytes.LongLength > room)
        {
            Truncated.Add(path);
            // Too little room for anything useful: the file is left out, and the index says so.
            if (room < 1024) return;
            var bound = $"{maxBytes / (1024 * 1024)} MB";
            var note = Encoding.UTF8.GetBytes(keepEnd
                ? $"[cut by the diagnostics bundle to stay under {bound}: only the end of this file is kept]\n"
                : $"\n[cut by the diagnostics bundle to stay under {bound}: only the start of this file is kept]\n");
            var keep = (int)(room - note.Length);
            bytes = keepEnd ? [.. note, .. bytes.AsSpan(bytes.Length - keep)] : [.. bytes.AsSpan(0, keep), .. note];
        }
        _files.Add((path, bytes));
        _used += bytes.LongLength;
    }

    /// <summary>Adds the index last: it is the one file allowed into the reserve.</summary>
    public void AddIndex(string markdown)
    {
        var bytes = Encoding.UTF8.GetBytes(mask.Apply(markdown));
        if (bytes.LongLength > IndexReserve) bytes = [.. bytes.AsSpan(0, (int)IndexReserve - 100), .. "\n\n[index cut to fit the bundle]\n"u8];
        _files.Insert(0, ("index.md", bytes));
        _used += bytes.LongLength;
    }

    /// <summary>Writes the .tar.gz (aside, then moved in place, so a reader never sees half of one); returns its size.</summary>
    public async Task<long> WriteAsync(string path, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".partial";
        await using (var file = File.Create(temporary))
        await using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false))
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var (name, content) in _files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(content),
                    ModificationTime = now,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                await tar.WriteEntryAsync(entry, ct);
            }
        }
        File.Move(temporary, full, overwrite: true);
        return new FileInfo(full).Length;
    }
}
