using System.Globalization;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Host;

/// <summary>One host port the published access mode binds, and the variable (.env or environment) that moves it.</summary>
internal sealed record PublishedPort(string Purpose, string Variable, int Port, int Default)
{
    public bool IsDefault => Port == Default;
}

/// <summary>
/// The host ports of the published access mode: HTTP and HTTPS to Traefik, and PostgreSQL. Defaults 80, 443 and 5432;
/// each can be moved with its variable in .env, .env.local or the environment. Declared here, once, and checked here,
/// once: by the validation before the first task (with the line that set the value), by the Doctor's port check, and
/// by the published-mode proxy that binds them.
/// </summary>
internal static class PublishedPorts
{
    static readonly (string Purpose, string Variable, int Default)[] Declared =
    [
        ("HTTP (Traefik web)", "PLATFORM_HTTP_PORT", 80),
        ("HTTPS (Traefik websecure)", "PLATFORM_HTTPS_PORT", 443),
        ("PostgreSQL (pg-source)", "PLATFORM_POSTGRES_PORT", 5432),
    ];

    /// <summary>The variables that move a port, in declaration order.</summary>
    public static IReadOnlyList<string> Variables { get; } = Declared.Select(d => d.Variable).ToList();

    /// <summary>
    /// The ports, from the variables when set. Every value that is not a port 1-65535, and every two variables on the
    /// same port, is added to <paramref name="problems"/> located where the value came from (.env:12, .env.local:3, or
    /// the environment); the ports returned then fall back to the defaults for the bad values.
    /// </summary>
    /// <param name="sourceOf">Where each variable was set (<see cref="PlatformEnvironment.SourceOf"/>); null when unknown.</param>
    public static IReadOnlyList<PublishedPort> Read(Func<string, string?> variable, Func<string, VariableSource?>? sourceOf, List<ConfigProblem> problems)
    {
        var ports = new List<PublishedPort>();
        var set = new HashSet<string>(StringComparer.Ordinal);
        var bad = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (purpose, name, fallback) in Declared)
        {
            var text = variable(name);
            if (text is null) { ports.Add(new(purpose, name, fallback, fallback)); continue; }
            if (Problem(name, text, fallback, Where(name, sourceOf)) is { } problem)
            {
                problems.Add(problem);
                bad.Add(name);
                ports.Add(new(purpose, name, fallback, fallback));
                continue;
            }
            ports.Add(new(purpose, name, int.Parse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture), fallback));
            set.Add(name);
        }
        // A bad value stands in as its default only so that callers get a list; it cannot clash with anything.
        foreach (var clash in ports.Where(p => !bad.Contains(p.Variable)).GroupBy(p => p.Port).Where(g => g.Count() > 1))
        {
            // Reported where the user set a value: that is the line to change (a default has no line).
            var moved = clash.LastOrDefault(p => set.Contains(p.Variable)) ?? clash.Last();
            var where = Where(moved.Variable, sourceOf);
            var named = string.Join(" and ", clash.Select(p => set.Contains(p.Variable)
                ? $"{p.Variable}{Located(p.Variable, sourceOf, where)}"
                : $"{p.Variable} (by default)"));
            problems.Add(new(where.File, where.Line, null,
                $"{named} are {(clash.Count() == 2 ? "both" : "all")} {clash.Key}: each published port needs its own number; " +
                $"change {moved.Variable}{(where.File == VariableSource.Environment ? " (exported)" : "")} to a free port."));
        }
        return ports;
    }

    /// <summary>The ports, or one failure listing every problem (each with its file and line when known).</summary>
    public static IReadOnlyList<PublishedPort> From(Func<string, string?> variable, Func<string, VariableSource?>? sourceOf = null)
    {
        var problems = new List<ConfigProblem>();
        var ports = Read(variable, sourceOf, problems);
        if (problems.Count > 0) throw new BuildFailure(string.Join(Environment.NewLine, problems));
        return ports;
    }

    public static IReadOnlyList<PublishedPort> From(PlatformEnvironment variables) => From(variables.Find, variables.SourceOf);

    /// <summary>What is wrong with one value, worded for where it came from; null when it is a port.</summary>
    static ConfigProblem? Problem(string name, string text, int fallback, VariableSource where)
    {
        var fix = where.File == VariableSource.Environment
            ? $"export {name}=<a number from 1 to 65535>, or unset it to use the default {fallback}"
            : $"write {name}=<a number from 1 to 65535>, or remove the line to use the default {fallback}";
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
            return new(where.File, where.Line, null, $"{name} is empty, so it names no port: {fix}.");
        if (!int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            return new(where.File, where.Line, null,
                trimmed.StartsWith('-') && long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                    ? $"{name} is '{text}': a TCP port is not negative; {fix}."
                    : trimmed.All(char.IsAsciiDigit)
                        ? $"{name} is '{text}', above 65535, the largest TCP port: {fix}."
                        : $"{name} is '{text}', which is not a TCP port (a whole number, digits only): {fix}.");
        if (port is < 1 or > 65535)
            return new(where.File, where.Line, null,
                $"{name} is '{text}', {(port == 0 ? "and port 0 means \"any free port\", which the hosts lines and URLs could not name" : "above 65535, the largest TCP port")}: {fix}.");
        return null;
    }

    static VariableSource Where(string name, Func<string, VariableSource?>? sourceOf) =>
        sourceOf?.Invoke(name) ?? new VariableSource(VariableSource.Environment, null);

    /// <summary>" (.env.local:3)" when the clash is reported at another variable's place; "" at its own.</summary>
    static string Located(string name, Func<string, VariableSource?>? sourceOf, VariableSource reportedAt)
    {
        var source = Where(name, sourceOf);
        if (source == reportedAt) return "";
        return source.Line is { } line ? $" ({source.File}:{line})" : $" ({source.File})";
    }
}
