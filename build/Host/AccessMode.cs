using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Host;

/// <summary>
/// How the host reaches the platform's entry points. Direct: the MetalLB addresses on the docker `kind` network answer
/// from the host (Linux, rootful Docker: the bridge is routed locally). Published: they do not (Docker Desktop, WSL2,
/// rootless Docker, Colima, Podman: the network lives in a VM or a user namespace), so the platform must be reached
/// through ports published on the host.
/// </summary>
internal enum AccessMode { Direct, Published }

/// <summary>The access mode and why; <see cref="Overridden"/> when PLATFORM_ACCESS chose it rather than detection.</summary>
internal sealed record AccessDecision(AccessMode Mode, string Reason, bool Overridden)
{
    public const string Variable = "PLATFORM_ACCESS";

    public string Name => Mode == AccessMode.Direct ? "direct" : "published";

    /// <summary>The mode a PLATFORM_ACCESS value names (any case, surrounding spaces ignored); null when it names none.</summary>
    public static AccessMode? Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "direct" => AccessMode.Direct,
        "published" => AccessMode.Published,
        _ => null,
    };

    /// <summary>What is wrong with a PLATFORM_ACCESS value <see cref="Parse"/> refuses, and the values it takes.</summary>
    public static string Unknown(string requested) =>
        (requested.Trim().Length == 0 ? $"{Variable} is empty, which names no access mode. " : $"{Variable} is '{requested}', which is not an access mode. ") +
        $"Set {Variable}=direct (the kind network's addresses answer from this host: Linux with rootful Docker) or " +
        $"{Variable}=published (reach the platform through ports published on the host), or remove it to let the build detect it.";

    public override string ToString() => $"{Name} ({Reason})";

    /// <summary>
    /// PLATFORM_ACCESS (environment or .env) wins; otherwise the evidence: when the kind control plane exists, whether
    /// its address on the kind network answered from this host; before the cluster exists, the engine.
    /// </summary>
    /// <param name="kindNetworkAnswered">null when no cluster exists yet (nothing to probe), else the probe's result.</param>
    /// <param name="probedAddress">what was probed (control-plane IP:6443), for the reason.</param>
    public static AccessDecision Resolve(HostEngine engine, string? requested, bool? kindNetworkAnswered, string? probedAddress = null)
    {
        if (requested is not null)
        {
            if (Parse(requested) is { } mode)
                return new(mode, $"{Variable}={requested.Trim().ToLowerInvariant()}", true);
            throw new BuildFailure(Unknown(requested) + " It comes from your environment or .env/.env.local.");
        }
        if (kindNetworkAnswered is true)
            return new(AccessMode.Direct, $"the kind control plane {probedAddress} answers from this host", false);
        if (kindNetworkAnswered is false)
            return new(AccessMode.Published, $"the kind control plane {probedAddress} does not answer from this host", false);
        return engine.Kind == EngineKind.DockerEngine && engine.Os == HostOs.Linux && !engine.Wsl2
            ? new(AccessMode.Direct, $"{engine.Description} on Linux routes the kind network to the host", false)
            : new(AccessMode.Published, $"{engine.Description} does not route the kind network to the host", false);
    }
}
