using DataPlatform.Build.Host;
using DataPlatform.Build.Process;

namespace DataPlatform.Build.Doctor;

/// <summary>
/// Everything the Doctor examines, gathered before any check runs: the answer of `docker info --format '{{json .}}'`
/// (null when docker is not installed), the kind control plane's address if the cluster exists, the platform's memory
/// need, the kubeconfig file kind will write, the variables (.env, .env.local, environment), and a query of the host ports
/// the platform's own access proxy already holds (asked only when a port is taken: those are not someone else's), where
/// each variable was set (so a bad value is named with its file and line), and the image cache's row (asked only when
/// Docker answered; null when the caller does not print Doctor's table).
/// </summary>
internal sealed record DoctorInput(
    ToolResult? DockerInfo,
    HostOs Os,
    string? ControlPlaneAddress,
    MemoryNeed Memory,
    int KindNodes,
    string KubeconfigPath,
    Func<string, string?> Variable,
    Func<CancellationToken, Task<IReadOnlyCollection<int>>>? ProxyPorts = null,
    Func<string, Platform.VariableSource?>? SourceOf = null,
    Func<CancellationToken, Task<HostCheck>>? ImageCache = null);
