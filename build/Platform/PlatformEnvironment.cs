namespace DataPlatform.Build.Platform;

/// <summary>Where a variable's value came from: a line of .env or .env.local, or the process environment.</summary>
internal sealed record VariableSource(string File, int? Line)
{
    public const string Environment = "environment";
}

/// <summary>
/// The variables the platform's templates read: .env, then .env.local (personal, git-ignored), then whatever is
/// already set in the environment, which wins. Values whose key names a secret are masked wherever they might show.
/// </summary>
internal sealed class PlatformEnvironment
{
    public static readonly string[] Files = [".env", ".env.local"];

    /// <summary>
    /// The variables the templates require that the build computes itself, with the variables each is computed from
    /// (those are required instead): the MetalLB range comes from the kind network, the htpasswd line from the login.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> ComputedVariables = new Dictionary<string, string[]>
    {
        ["METALLB_IP_RANGE"] = [],
        ["REGISTRY_HTPASSWD"] = ["REGISTRY_USER", "REGISTRY_PASSWORD"],
    };

    readonly IReadOnlyDictionary<string, string> _values;
    readonly IReadOnlyDictionary<string, VariableSource> _sources;
    readonly Func<string, string?> _processEnvironment;

    PlatformEnvironment(IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, VariableSource> sources, Func<string, string?> processEnvironment) =>
        (_values, _sources, _processEnvironment) = (values, sources, processEnvironment);

    public static PlatformEnvironment Load(string root, Func<string, string?> processEnvironment)
    {
        var problems = new List<ConfigProblem>();
        var environment = Read(root, processEnvironment, problems);
        ConfigFileException.ThrowIfAny(problems);
        return environment;
    }

    /// <summary>Reads both files, adding every bad line to <paramref name="problems"/> and keeping the good ones.</summary>
    internal static PlatformEnvironment Read(string root, Func<string, string?> processEnvironment, List<ConfigProblem> problems)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        var sources = new Dictionary<string, VariableSource>(StringComparer.Ordinal);
        var unreadable = new List<string>();
        foreach (var file in Files)
        {
            var path = System.IO.Path.Combine(root, file);
            var text = YamlFile.ReadText(path, problems, optional: true);
            if (text is null && System.IO.Path.Exists(path)) unreadable.Add(file);
            foreach (var entry in text is null ? [] : DotEnv.Read(text, file, problems))
            {
                merged[entry.Key] = entry.Value;
                sources[entry.Key] = new VariableSource(file, entry.Line);
            }
        }
        foreach (var key in merged.Keys.ToList())
            if (processEnvironment(key) is { } fromProcess)
            {
                merged[key] = fromProcess;
                sources[key] = new VariableSource(VariableSource.Environment, null);
            }
        return new PlatformEnvironment(merged, sources, processEnvironment) { UnreadableFiles = unreadable };
    }

    /// <summary>Files that exist but could not be read (already reported): whatever they hold is unknown, not missing.</summary>
    internal IReadOnlyList<string> UnreadableFiles { get; private init; } = [];

    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>The keys the files set, with where: for "did you mean" hints about a misspelt key.</summary>
    internal IEnumerable<(string Key, VariableSource Source)> FileKeys =>
        _sources.Where(kv => kv.Value.File != VariableSource.Environment).Select(kv => (kv.Key, kv.Value));

    /// <summary>A key the files do not declare can still be preset in the environment (METALLB_IP_RANGE, say).</summary>
    public string? Find(string key) => _values.GetValueOrDefault(key) ?? _processEnvironment(key);

    /// <summary>Where <see cref="Find"/> got the key's value; null when it is set nowhere.</summary>
    internal VariableSource? SourceOf(string key) =>
        _sources.GetValueOrDefault(key) ?? (_processEnvironment(key) is null ? null : new VariableSource(VariableSource.Environment, null));

    public string Require(string key, string file = ".env") => Find(key) is { Length: > 0 } value
        ? value
        : throw new ConfigFileException(file, $"{key} is not set: add `{key}=...` to .env (or .env.local, or export it).");

    /// <summary>Keys whose names say they hold a secret. Access keys and user names are identifiers, not secrets.</summary>
    public static bool IsSecretKey(string key) =>
        new[] { "SECRET", "PASSWORD", "PASSWD", "TOKEN" }.Any(word => key.Contains(word, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<string> SecretValues => _values.Where(kv => IsSecretKey(kv.Key)).Select(kv => kv.Value);
}
