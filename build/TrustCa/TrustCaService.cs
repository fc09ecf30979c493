using System.Security.Cryptography.X509Certificates;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Process;
using DataPlatform.Build.Verify;
using Spectre.Console;

namespace DataPlatform.Build.TrustCa;

/// <summary>
/// TrustCA: writes the platform CA, as trust-manager publishes it (the Bundle's target ConfigMap, read from the
/// cluster, never restated), to a file, and says how to trust it on this machine. It installs nothing: adding a root
/// to a trust store is the user's decision, made with their own privileges.
/// </summary>
internal sealed class TrustCaService(PlatformCluster cluster, IAnsiConsole console)
{
    public const string DefaultFile = ".artifacts/data-platform-ca.crt";

    /// <summary>The CA's PEM, from the first Bundle that has written its ConfigMap; fails naming what is missing.</summary>
    public static string CaPem(ClusterState state, string context)
    {
        var bundles = state.Bundles ?? [];
        if (bundles.Count == 0)
            throw new BuildFailure($"No trust-manager Bundle on context {context}: the platform CA is published by one. Run ./build.sh --target=Up first.");
        foreach (var bundle in bundles)
        {
            var name = bundle.Str("metadata", "name");
            var key = bundle.Str("spec", "target", "configMap", "key");
            if (name is null || key is null) continue;
            if (state.BundleConfigMaps.GetValueOrDefault(name)?.Data?.Get(key) is { Length: > 0 } pem) return pem;
        }
        var names = string.Join(", ", bundles.Select(b => b.Str("metadata", "name")));
        throw new BuildFailure($"trust-manager has not written the ConfigMap of Bundle {names} on context {context} yet. " +
            "Run ./build.sh --target=Verify to see what is not ready, then run ./build.sh --target=TrustCA again.");
    }

    public async Task<string> RunAsync(string path, OperatingSystemKind os, string? wslDistro, CancellationToken ct)
    {
        var state = await ClusterReader.ReadAsync(cluster, [], ct);
        var pem = CaPem(state, cluster.Context);
        X509Certificate2Collection roots;
        try { roots = EntryPoint.ParsePem(pem); }
        catch (System.Security.Cryptography.CryptographicException) { roots = []; }
        if (roots.Count == 0)
            throw new BuildFailure($"The trust bundle on context {cluster.Context} holds no PEM certificate: check the Bundle's sources (kubectl --context {cluster.Context} get bundles -o yaml).");
        var full = Path.GetFullPath(path);
        WriteAtomically(full, pem);
        console.MarkupLineInterpolated($"Wrote the platform CA ({roots.Count} certificate(s): {string.Join("; ", roots.Select(Describe))}) to [bold]{full}[/].");
        console.MarkupLine("Nothing was installed. To trust it on this machine (this needs administrator rights):");
        foreach (var line in Commands(full, os, wslDistro)) console.WriteLine("  " + line);
        console.MarkupLine("Or only for one program, without touching the system's trust store:");
        console.WriteLine($"  export CURL_CA_BUNDLE={full}        # curl");
        console.WriteLine($"  export REQUESTS_CA_BUNDLE={full}    # Python requests (and pip)");
        console.WriteLine($"  export SSL_CERT_FILE={full}         # OpenSSL, .NET on Linux, Python's ssl module");
        console.MarkupLine("[grey]SSL_CERT_FILE replaces the system's roots for that program: public sites then fail in it, so set it only where you talk to the platform.[/]");
        return full;
    }

    internal enum OperatingSystemKind { MacOs, Debian, Fedora, OtherLinux, Windows }

    /// <summary>The exact command(s) to trust the file, for the system the build runs on (and Windows too under WSL).</summary>
    public static IReadOnlyList<string> Commands(string file, OperatingSystemKind os, string? wslDistro)
    {
        var name = Path.GetFileName(file);
        var commands = new List<string>();
        switch (os)
        {
            case OperatingSystemKind.MacOs:
                commands.Add($"sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {file}");
                break;
            case OperatingSystemKind.Debian:
                commands.Add($"sudo cp {file} /usr/local/share/ca-certificates/{Path.ChangeExtension(name, ".crt")} && sudo update-ca-certificates");
                break;
            case OperatingSystemKind.Fedora:
                commands.Add($"sudo cp {file} /etc/pki/ca-trust/source/anchors/{name} && sudo update-ca-trust");
                break;
            case OperatingSystemKind.Windows:
                commands.Add($"certutil -addstore -f Root {file}    # in a Command Prompt run as administrator");
                break;
            default:
                commands.Add($"Debian/Ubuntu: sudo cp {file} /usr/local/share/ca-certificates/{Path.ChangeExtension(name, ".crt")} && sudo update-ca-certificates");
                commands.Add($"Fedora/RHEL:   sudo cp {file} /etc/pki/ca-trust/source/anchors/{name} && sudo update-ca-trust");
                break;
        }
        if (wslDistro is { Length: > 0 })
            commands.Add($"Windows browsers (WSL): certutil -addstore -f Root \\\\wsl.localhost\\{wslDistro}{file.Replace('/', '\\')}    # in a Command Prompt run as administrator");
        return commands;
    }

    /// <summary>This machine's family, from the runtime and /etc/os-release (ID and ID_LIKE).</summary>
    public static OperatingSystemKind Detect(string? osRelease)
    {
        if (OperatingSystem.IsMacOS()) return OperatingSystemKind.MacOs;
        if (OperatingSystem.IsWindows()) return OperatingSystemKind.Windows;
        var ids = (osRelease ?? "").Split('\n')
            .Where(l => l.StartsWith("ID=") || l.StartsWith("ID_LIKE="))
            .SelectMany(l => l[(l.IndexOf('=') + 1)..].Trim('"', ' ').Split(' '))
            .ToHashSet();
        if (ids.Overlaps(["debian", "ubuntu"])) return OperatingSystemKind.Debian;
        if (ids.Overlaps(["fedora", "rhel", "centos"])) return OperatingSystemKind.Fedora;
        return OperatingSystemKind.OtherLinux;
    }

    static string Describe(X509Certificate2 certificate) => $"{certificate.Subject}, valid until {certificate.NotAfter:yyyy-MM-dd}";

    /// <summary>A reader never sees half a certificate: written beside it, then renamed over it.</summary>
    static void WriteAtomically(string path, string content)
    {
        if (Directory.Exists(path))
            throw new BuildFailure($"--output={path} is a directory: name a file, e.g. {Path.Combine(path, "data-platform-ca.crt")}.");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".tmp-" + Environment.ProcessId;
            File.WriteAllText(temporary, content.EndsWith('\n') ? content : content + "\n");
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BuildFailure($"Cannot write the platform CA to {path}: {e.Message} Choose another path with --output=<file>.");
        }
    }
}
