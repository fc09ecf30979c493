using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DataPlatform.Build.Tests.Verification;

/// <summary>Helpers to start real local servers for the probes: free ports, and waiting until a port accepts.</summary>
static class LocalServers
{
    public static int FreePort() => FakeKubernetesApi.ClosedPort();

    /// <summary>Waits (bounded by attempts, not asserted on time) until the process listens, or fails with its output.</summary>
    public static async Task WaitForPortAsync(int port, System.Diagnostics.Process process, Func<string> output)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (process.HasExited) throw new InvalidOperationException($"{process.StartInfo.FileName} exited ({process.ExitCode}): {output()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new InvalidOperationException($"{process.StartInfo.FileName} did not listen on {port}: {output()}");
    }

    public static System.Diagnostics.Process Start(string program, IEnumerable<string> arguments, System.Text.StringBuilder log,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = System.Diagnostics.Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static void Stop(System.Diagnostics.Process process)
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        process.Dispose();
    }
}
