using System.Runtime.InteropServices;
using System.Text;

namespace DataPlatform.Build.Process;

/// <summary>
/// Every process one command started: the child, its children, and their children even after they were orphaned.
/// Each command's child gets a unique <see cref="MarkerVariable"/> in its environment, which every descendant inherits;
/// on Linux the tree is found by that marker in /proc/&lt;pid&gt;/environ, so a grandchild whose parent already exited
/// (re-parented to init, out of reach of a parent/child walk and of Process.Kill(entireProcessTree)) is still found.
/// Elsewhere only the child itself is known, and the forced stop falls back to Process.Kill(entireProcessTree).
/// </summary>
internal sealed class ProcessTree(int childId, string marker)
{
    public const string MarkerVariable = "DATA_PLATFORM_BUILD_STEP";

    public const int SigInt = 2;
    public const int SigKill = 9;

    public static string NewMarker() => Guid.NewGuid().ToString("N");

    /// <summary>The processes carrying this command's marker (the child first), or just the child where /proc is not available.</summary>
    public IReadOnlyList<int> Members()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc")) return IsAlive(childId) ? [childId] : [];
        var needle = Encoding.ASCII.GetBytes($"{MarkerVariable}={marker}\0");
        var self = Environment.ProcessId;
        var members = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == self) continue;
            try
            {
                if (File.ReadAllBytes(Path.Combine(directory, "environ")).AsSpan().IndexOf(needle) >= 0) members.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // gone, or not ours
        }
        members.Sort((a, b) => a == childId ? -1 : b == childId ? 1 : a.CompareTo(b));
        return members;
    }

    /// <summary>Sends the signal to every member; returns how many were still there to receive it.</summary>
    public int Signal(int signal)
    {
        var count = 0;
        foreach (var pid in Members())
            if (Kill(pid, signal) == 0) count++;
        return count;
    }

    public static bool IsAlive(int pid) => Kill(pid, 0) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
