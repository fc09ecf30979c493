using DataPlatform.Build.Frosting;
using DataPlatform.Build.MetalLb;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using Spectre.Console;

namespace DataPlatform.Build.Access;

/// <summary>
/// The published-mode proxy: one HAProxy container on the kind network that forwards 127.0.0.1 ports to the
/// LoadBalancer addresses, which do not answer from the host on Docker Desktop, WSL2, Colima, Podman or rootless Docker
/// (kubernetes-sigs/kind#3482; cloud-provider-kind does the same on macOS with envoy). Observe (docker ps by label),
/// compare the configuration hash, act only on a difference.
/// </summary>
internal sealed class PortProxyService(Docker docker, string cluster, IAnsiConsole console)
{
    /// <summary>
    /// The official HAProxy image, Alpine variant (it has the `sh` the start command needs), pinned by digest so every
    /// machine runs the same bytes. This digest was copied from a public pin and could not be pulled where it was
    /// written: confirm it with `docker buildx imagetools inspect haproxy:3.2-alpine` on a machine with internet when
    /// moving it (the RealDocker test and the GitHub workflow fail on a digest that does not exist).
    /// </summary>
    public const string Image = "haproxy:3.2-alpine@sha256:79799e8b2977e60802774fa53d29e6b54e045402cdd8a8b9fe43923e7095a047";

    public string Name => $"{cluster}-access-proxy";

    /// <summary>What the proxy container of this cluster looks like now (docker ps by our label), or null when there is none.</summary>
    internal sealed record Observed(string Name, string State, string ConfigHash, IReadOnlyList<int> HostPorts);

    public async Task<IReadOnlyList<Observed>> ObserveAsync(CancellationToken ct)
    {
        var result = await docker.ProxyListAsync(cluster, ct);
        if (!result.Succeeded)
            throw new BuildFailure($"`docker ps` failed while looking for the access proxy {Name}: {FirstLine(result.StandardError) ?? "no message"}. " +
                "Check that Docker is running (`docker info`), then run the same target again.");
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|'))
            .Where(f => f.Length >= 4)
            .Select(f => new Observed(f[0], f[1], f[2], f[3].Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => int.TryParse(p, out var n) ? n : 0).Where(n => n > 0).ToList()))
            .ToList();
    }

    /// <summary>Creates the proxy, or recreates it when its configuration changed; does nothing when it is up to date.</summary>
    public async Task EnsureAsync(ProxyPlan plan, CancellationToken ct)
    {
        foreach (var skipped in plan.Skipped) console.MarkupLineInterpolated($"[yellow]not published:[/] {skipped}");
        var config = HaproxyConfig.Render(plan.Forwards);
        var hash = HaproxyConfig.Hash(config, Image, plan.Forwards);
        var existing = (await ObserveAsync(ct)).Where(o => o.Name == Name).ToList();

        if (plan.Forwards.Count == 0)
        {
            foreach (var old in existing) await RemoveAsync(old.Name, "no LoadBalancer port to publish", ct);
            console.MarkupLine("[yellow]No LoadBalancer service has an address yet: nothing to publish on 127.0.0.1.[/]");
            return;
        }
        if (existing is [{ State: "running" } current] && current.ConfigHash == hash)
        {
            console.MarkupLineInterpolated($"Access proxy {Name} is up to date (configuration {hash}): nothing to change.");
            Describe(plan);
            return;
        }
        foreach (var old in existing)
            await RemoveAsync(old.Name, old.ConfigHash == hash ? $"it is {old.State}, not running" : $"its configuration changed ({old.ConfigHash} → {hash})", ct);

        var ports = plan.Forwards.Select(f => (f.HostPort, f.ListenPort)).ToList();
        var run = await docker.ProxyRunAsync(Name, cluster, MetalLbService.KindNetwork, Image, hash, ports, config, ct);
        if (!run.Succeeded) throw RunFailure(run, plan);
        console.MarkupLineInterpolated($"Started access proxy {Name} (configuration {hash}).");
        Describe(plan);
    }

    /// <summary>Clean, and Up in direct mode: removes this cluster's proxy (by name and label), nothing else.</summary>
    public async Task<bool> RemoveAllAsync(string reason, CancellationToken ct)
    {
        var ours = (await ObserveAsync(ct)).Where(o => o.Name == Name).ToList();
        foreach (var old in ours) await RemoveAsync(old.Name, reason, ct);
        return ours.Count > 0;
    }

    async Task RemoveAsync(string name, string reason, CancellationToken ct)
    {
        console.MarkupLineInterpolated($"Removing access proxy {name}: {reason}.");
        var result = await docker.ProxyRemoveAsync(name, ct);
        if (!result.Succeeded)
            throw new BuildFailure($"`docker rm --force {name}` failed: {FirstLine(result.StandardError) ?? "no message"}. Remove it by hand, then run the same target again.");
    }

    void Describe(ProxyPlan plan)
    {
        foreach (var f in plan.Forwards)
            console.MarkupLineInterpolated($"  127.0.0.1:{f.HostPort} → {f.Service} {f.TargetIp}:{f.TargetPort}");
    }

    BuildFailure RunFailure(ToolResult run, ProxyPlan plan)
    {
        var message = FirstLine(run.StandardError) ?? "no message";
        if (message.Contains("already allocated") || message.Contains("address already in use") || message.Contains("bind"))
        {
            var moved = plan.Forwards.Where(f => f.Variable is not null).Select(f => $"{f.Variable} (now {f.HostPort})");
            return new BuildFailure($"The access proxy could not publish its ports on 127.0.0.1: {message}. Another program holds one of " +
                $"{string.Join(", ", plan.Forwards.Select(f => f.HostPort))}: stop it, or move the platform's port with {string.Join(", ", moved)} " +
                "in .env.local, then run the same target again.");
        }
        if (message.Contains("network") && message.Contains("not found"))
            return new BuildFailure($"The access proxy could not join the docker network '{MetalLbService.KindNetwork}': {message}. " +
                "Run ./build.sh --target=Up (it creates the kind cluster and its network) first.");
        return new BuildFailure($"`docker run` of the access proxy {Name} failed: {message}. Check `docker info` and that the image {Image} can be pulled, then run the same target again.");
    }

    static string? FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}
