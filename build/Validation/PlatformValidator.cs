using DataPlatform.Build.Host;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Toolchain;

namespace DataPlatform.Build.Validation;

/// <summary>
/// Everything that can be checked without Docker or a cluster, in one pass, before the build changes anything (as kind
/// validates its whole config before it creates a node): the four YAML files, .env/.env.local and the variables.
/// Every problem is collected, so one run shows the user all there is to fix.
/// </summary>
internal static class PlatformValidator
{
    const string Domain = "GLOBAL_DOMAIN";

    /// <summary>Every problem found offline; empty when everything is fine.</summary>
    /// <param name="root">The clone: where kind-config.yaml, helmfile.yaml, .env and values/ are.</param>
    /// <param name="environment">The process environment, which wins over .env and .env.local.</param>
    /// <param name="inheritedBytes">The size of the environment a child inherits from this process; measured when null.</param>
    public static IReadOnlyList<ConfigProblem> Validate(string root, Func<string, string?> environment, long? inheritedBytes = null)
    {
        var problems = new List<ConfigProblem>();
        var kind = KindConfig.Read(Path.Combine(root, KindConfig.FileName), problems);
        var helmfile = HelmfileSpec.Read(Path.Combine(root, HelmfileSpec.FileName), problems);
        CheckContext(kind, helmfile, problems);
        if (helmfile is not null) ValuesFiles.Check(root, helmfile, problems);
        GatewayApiSpec.Read(Path.Combine(root, GatewayApiSpec.FileName), problems);
        ToolPins.Read(Path.Combine(root, ToolPins.FileName), problems);

        var variables = PlatformEnvironment.Read(root, environment, problems);
        var required = TemplateVariables.Required(root, problems);
        // An unreadable or deleted .env is its own problem; listing every variable it holds as missing would bury it.
        // A deleted .env, when the environment does not supply every variable it held, is one line, not one per variable.
        if (variables.UnreadableFiles.Count == 0)
        {
            var missing = new List<ConfigProblem>();
            CheckRequired(variables, required, missing);
            if (missing.Count > 0 && !Path.Exists(Path.Combine(root, ".env")))
                problems.Add(new(".env", null, null,
                    ".env is missing: restore it with `git checkout .env` (it holds the platform's settings; your own values go in .env.local)."));
            else
                problems.AddRange(missing);
        }
        CheckDomain(variables, problems);
        CheckMetalLbRange(variables, problems);
        CheckNearMisses(variables, problems);
        CheckSizes(variables, inheritedBytes, problems);
        CheckImageCache(variables, problems);
        CheckAccess(variables, problems);
        // A kind-config.yaml that does not load is already reported; reading it again would only repeat that.
        if (kind is not null && problems.All(p => p.File != KindConfig.FileName)) CheckMirrors(Path.Combine(root, KindConfig.FileName), problems);
        return problems;
    }

    /// <summary>What this validation cannot check, because it needs the network or the cluster: said with its problems.</summary>
    public const string NotCheckedOffline =
        "Not checked offline (they need the network or the cluster, and are checked when the run gets there): that each chart " +
        "version exists in its repository, what the {{ }} actions of the .gotmpl values render, remote values files, and the images (CheckImages).";

    /// <summary>Throws one <see cref="ConfigFileException"/> listing every problem, when there is any: the call before the first change.</summary>
    public static void Check(string root, Func<string, string?> environment) =>
        ConfigFileException.ThrowIfAny(Validate(root, environment).ToList());

    /// <summary>helmfile must target the cluster kind creates, or it would deploy into whatever context kind-… names.</summary>
    static void CheckContext(KindConfig? kind, HelmfileSpec? helmfile, List<ConfigProblem> problems)
    {
        if (kind is null || helmfile is not { KubeContext.Length: > 0 } || helmfile.KubeContext == kind.ContextName) return;
        problems.Add(new(HelmfileSpec.FileName, helmfile.KubeContextMark?.Line, helmfile.KubeContextMark?.Column,
            $"helmDefaults.kubeContext is '{helmfile.KubeContext}' but {KindConfig.FileName} names the cluster '{kind.Name}'" +
            (kind.NameMark is { } mark ? $" (line {mark.Line})" : "") +
            $", whose context is {kind.ContextName}: write `kubeContext: {kind.ContextName}` so helmfile and the build target the same cluster."));
    }

    static void CheckRequired(PlatformEnvironment variables, IReadOnlyList<RequiredVariable> required, List<ConfigProblem> problems)
    {
        var computed = PlatformEnvironment.ComputedVariables;
        var needed = required
            .SelectMany(r => computed.TryGetValue(r.Key, out var inputs)
                ? inputs.Select(input => (Key: input, Why: $"the build computes {r.Key} ({r.File}:{r.Line}) from it"))
                : [(r.Key, Why: $"{r.File}:{r.Line} requires it")])
            .DistinctBy(n => n.Key);

        foreach (var (key, why) in needed)
        {
            var value = variables.Find(key);
            if (value is { Length: > 0 } && value.Trim().Length > 0) continue;
            var source = variables.SourceOf(key);
            var set = $"give it a value in .env (or .env.local, or export {key}=…).";
            problems.Add(source switch
            {
                null => new(".env", null, null, $"{key} is not set, and {why}: add `{key}=…` to .env (or .env.local, or export it)." + Misspelt(key, variables, required)),
                { File: VariableSource.Environment } => new(VariableSource.Environment, null, null, $"{key} is set but empty in the environment, and {why}: export a value or unset it to use .env."),
                _ => new(source.File, source.Line, null, $"{key} is empty, and {why}: {set}"),
            });
        }
    }

    /// <summary>A key the files set that is one or two letters away from a missing one, and that nothing requires.</summary>
    static string Misspelt(string key, PlatformEnvironment variables, IReadOnlyList<RequiredVariable> required)
    {
        var near = variables.FileKeys.FirstOrDefault(k => k.Key != key && required.All(r => r.Key != k.Key) && YamlFields.EditDistance(k.Key, key) <= 2);
        return near.Key is null ? "" : $" {near.Source.File}:{near.Source.Line} sets {near.Key}: is that a typo for {key}?";
    }

    static void CheckDomain(PlatformEnvironment variables, List<ConfigProblem> problems)
    {
        // A missing or empty domain is reported with the required variables.
        if (variables.Find(Domain) is not { Length: > 0 } domain || domain.Trim().Length == 0) return;
        var wrong = DomainName.Problems(domain);
        if (wrong.Count == 0) return;
        var source = variables.SourceOf(Domain)!;
        var suggestion = DomainName.Suggest(domain);
        problems.Add(new(source.File, source.Line, null,
            $"{Domain} '{domain}' is not a lowercase DNS name: {string.Join("; ", wrong)}. " +
            (suggestion is null ? "Write a name like data-platform.internal." : $"Use {Domain}={suggestion}")));
    }

    static void CheckMetalLbRange(PlatformEnvironment variables, List<ConfigProblem> problems)
    {
        const string key = "METALLB_IP_RANGE";
        if (variables.Find(key) is not { } preset || preset.Length == 0) return; // unset: the build computes it
        if (AddressRange.TryParse(preset, out _, out var problem)) return;
        var source = variables.SourceOf(key)!;
        problems.Add(new(source.File, source.Line, null,
            $"{key}={preset.Trim()} {problem}. Fix it, or remove it so the build computes the range from the kind network."));
    }

    /// <summary>IMAGE_CACHE: on or off, nothing else (a typo must not silently turn the cache off).</summary>
    static void CheckImageCache(PlatformEnvironment variables, List<ConfigProblem> problems)
    {
        try { ImageCacheSetting.IsOn(variables); }
        catch (ConfigFileException e)
        {
            var source = variables.SourceOf(ImageCacheSetting.Variable);
            problems.AddRange(e.Problems.Select(p => p with { File = source?.File ?? p.File, Line = source?.Line }));
        }
    }

    /// <summary>The image cache's `# mirror` lines in kind-config.yaml's containerd patch.</summary>
    static void CheckMirrors(string kindConfig, List<ConfigProblem> problems)
    {
        if (!File.Exists(kindConfig)) return; // reported by KindConfig.Read
        try { RegistryMirrors.Load(kindConfig); }
        catch (ConfigFileException e) { problems.AddRange(e.Problems); }
    }

    /// <summary>
    /// How the host reaches the platform: PLATFORM_ACCESS names a mode, the PLATFORM_*_PORT variables are ports, each
    /// different (the rules live in <see cref="PublishedPorts"/> and <see cref="AccessDecision"/>, which the Doctor and the
    /// proxy use too). A misspelt key would silently keep the default, so a near miss is named, as for IMAGE_CACHE.
    /// </summary>
    /// <summary>
    /// Linux refuses to start a process with one environment string over MAX_ARG_STRLEN (32 pages: 128 KiB, "KEY=value"
    /// and its NUL included); execve fails with E2BIG, which .NET reports as if the tool were not installed. The values of
    /// .env travel to helmfile in its environment, so an oversized one is named here, before anything starts.
    /// </summary>
    public const int MaxEnvironmentString = 128 * 1024;

    /// <summary>
    /// Linux also caps a new process's arguments and environment together (ARG_MAX: a quarter of the stack limit, 2 MiB
    /// with the usual 8 MiB stack); past it execve fails with E2BIG as for one oversized variable. The child inherits this
    /// process's environment, so what .env adds must fit in what that leaves.
    /// </summary>
    public const int MaxArgumentsAndEnvironment = 2 * 1024 * 1024;

    static int EnvironmentBytes(string key, string value) =>
        System.Text.Encoding.UTF8.GetByteCount(key) + 1 + System.Text.Encoding.UTF8.GetByteCount(value) + 1;

    static void CheckSizes(PlatformEnvironment variables, long? inheritedBytes, List<ConfigProblem> problems)
    {
        CheckTotalSize(variables, inheritedBytes, problems);
        foreach (var (key, source) in variables.FileKeys.OrderBy(k => k.Source.File).ThenBy(k => k.Source.Line))
        {
            var bytes = System.Text.Encoding.UTF8.GetByteCount(key) + 1 + System.Text.Encoding.UTF8.GetByteCount(variables.Find(key) ?? "") + 1;
            if (bytes <= MaxEnvironmentString) continue;
            problems.Add(new(source.File, source.Line, null,
                $"{key} is {bytes / 1024} KiB long: Linux starts no process with an environment variable over 128 KiB, and the build passes .env to helmfile " +
                "in its environment. Shorten it (a certificate, key or file belongs in a file that the values read, not in .env)."));
        }
    }

    static void CheckTotalSize(PlatformEnvironment variables, long? inheritedBytes, List<ConfigProblem> problems)
    {
        var added = variables.FileKeys.Select(k => (k.Key, k.Source, Bytes: EnvironmentBytes(k.Key, variables.Find(k.Key) ?? ""))).ToList();
        var inherited = inheritedBytes ?? Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(e => added.All(a => a.Key != (string)e.Key))
            .Sum(e => (long)EnvironmentBytes((string)e.Key, e.Value as string ?? ""));
        var total = added.Sum(a => a.Bytes);
        if (total + inherited <= MaxArgumentsAndEnvironment) return;
        var largest = added.OrderByDescending(a => a.Bytes).Take(3).Select(a => $"{a.Key} ({a.Bytes / 1024} KiB, {a.Source.File}:{a.Source.Line})");
        problems.Add(new(".env", null, null,
            $"the values of .env and .env.local add up to {total / 1024} KiB, and with this shell's own environment ({inherited / 1024} KiB) pass the " +
            $"{MaxArgumentsAndEnvironment / 1024 / 1024} MiB Linux gives a new process for its arguments and environment together: helmfile, which gets them " +
            $"in its environment, could not start. The largest: {string.Join(", ", largest)}. Move big values (certificates, keys, files) into files that the values read."));
    }

    /// <summary>
    /// The optional variables have defaults, so a misspelt one (IMAGE_CAHCE=off, PLATFORM_HTTPS_PROT=8443) would quietly
    /// leave the default in place: a file key one or two letters from one that is unset is named as the likely typo.
    /// </summary>
    static void CheckNearMisses(PlatformEnvironment variables, List<ConfigProblem> problems)
    {
        string[] optional = [ImageCacheSetting.Variable, AccessDecision.Variable, .. PublishedPorts.Variables];
        foreach (var (key, source) in variables.FileKeys.Where(k => !optional.Contains(k.Key)).OrderBy(k => k.Source.File).ThenBy(k => k.Source.Line))
        {
            var meant = optional.Where(k => variables.Find(k) is null)
                .Select(k => (Key: k, Distance: YamlFields.EditDistance(key, k)))
                .Where(k => k.Distance <= 2).OrderBy(k => k.Distance).Select(k => k.Key).FirstOrDefault();
            if (meant is null) continue;
            problems.Add(new(source.File, source.Line, null,
                $"{key} is not a variable the build reads: is that a typo for {meant}? Write {meant}={(variables.Find(key)?.Trim() is { Length: > 0 } value ? value : "…")}."));
        }
    }

    static void CheckAccess(PlatformEnvironment variables, List<ConfigProblem> problems)
    {
        if (variables.Find(AccessDecision.Variable) is { } access && AccessDecision.Parse(access) is null)
        {
            var source = variables.SourceOf(AccessDecision.Variable)!;
            problems.Add(new(source.File, source.Line, null, AccessDecision.Unknown(access)));
        }
        PublishedPorts.Read(variables.Find, variables.SourceOf, problems);
    }
}
