using System.Net;
using System.Net.Sockets;
using System.Text;
using CliWrap;
using DataPlatform.Build.Tests.Infrastructure;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>A real server the probes are tested against (docker-registry, s3rver), running as a child of the test process.</summary>
internal sealed class ServerProcess(string program, CommandTask<CommandResult> running, CancellationTokenSource stop)
{
    public string Program => program;
    public bool HasExited => running.Task.IsCompleted;
    public string ExitCode => running.Task.IsCompletedSuccessfully ? running.Task.Result.ExitCode.ToString() : "killed";

    /// <summary>Kills the server and its children (CliWrap kills the whole tree on cancellation) and waits for it.</summary>
    public void Stop()
    {
        stop.Cancel();
        try { running.Task.GetAwaiter().GetResult(); } catch (OperationCanceledException) { }
        stop.Dispose();
    }
}

/// <summary>Helpers to start real local servers for the probes: free ports, and waiting until a port accepts.</summary>
static class LocalServers
{
    public static int FreePort() => LoopbackServer.FreePort();

    /// <summary>Waits (bounded by attempts, not asserted on time) until the server listens, or fails with its output.</summary>
    public static async Task WaitForPortAsync(int port, ServerProcess server, Func<string> output)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (server.HasExited) throw new InvalidOperationException($"{server.Program} exited ({server.ExitCode}): {output()}");
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
        throw new InvalidOperationException($"{server.Program} did not listen on {port}: {output()}");
    }

    /// <summary>Starts the server with both streams appended to <paramref name="log"/>; stop it with <see cref="Stop"/>.</summary>
    public static ServerProcess Start(string program, IEnumerable<string> arguments, StringBuilder log,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var toLog = PipeTarget.ToDelegate(line => { lock (log) log.AppendLine(line); });
        var stop = new CancellationTokenSource();
        var running = Cli.Wrap(program).WithArguments(arguments)
            .WithEnvironmentVariables((environment ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key, kv => (string?)kv.Value))
            .WithStandardOutputPipe(toLog).WithStandardErrorPipe(toLog)
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(stop.Token);
        return new ServerProcess(program, running, stop);
    }

    public static void Stop(ServerProcess server) => server.Stop();
}
