using DataPlatform.Build.Services;

namespace DataPlatform.Build.Host;

/// <summary>One host port the published access mode binds, and the variable (.env or environment) that moves it.</summary>
internal sealed record PublishedPort(string Purpose, string Variable, int Port, int Default)
{
    public bool IsDefault => Port == Default;
}

/// <summary>
/// The host ports of the published access mode: HTTP and HTTPS to Traefik, and PostgreSQL. Defaults 80, 443 and 5432;
/// each can be moved with its variable in .env, .env.local or the environment. Declared here, once, for the Doctor's
/// port check and for the published-mode proxy to bind.
/// </summary>
internal static class PublishedPorts
{
    static readonly (string Purpose, string Variable, int Default)[] Declared =
    [
        ("HTTP (Traefik web)", "PLATFORM_HTTP_PORT", 80),
        ("HTTPS (Traefik websecure)", "PLATFORM_HTTPS_PORT", 443),
        ("PostgreSQL (pg-source)", "PLATFORM_POSTGRES_PORT", 5432),
    ];

    /// <summary>The ports, from the variables when set; a value that is not a port 1-65535 fails naming the variable.</summary>
    public static IReadOnlyList<PublishedPort> From(Func<string, string?> variable)
    {
        var ports = new List<PublishedPort>();
        foreach (var (purpose, name, fallback) in Declared)
        {
            var text = variable(name);
            if (text is null) { ports.Add(new(purpose, name, fallback, fallback)); continue; }
            if (!int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
                || port is < 1 or > 65535)
                throw new BuildFailure($"{name} is '{text}', which is not a TCP port: set it to a number from 1 to 65535 " +
                    $"(default {fallback}) in .env.local or your environment, or remove it.");
            ports.Add(new(purpose, name, port, fallback));
        }
        var clash = ports.GroupBy(p => p.Port).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new BuildFailure($"{string.Join(" and ", clash.Select(p => p.Variable))} are {(clash.Count() == 2 ? "both" : "all")} {clash.Key}: " +
                "each published port needs its own number; change one of them in .env.local or your environment.");
        return ports;
    }
}
