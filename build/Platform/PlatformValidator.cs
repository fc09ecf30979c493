namespace DataPlatform.Build.Platform;

/// <summary>One problem in a platform file, where a person finds it.</summary>
internal sealed record ConfigProblem(string File, int? Line, int? Column, string Message)
{
    public override string ToString() =>
        $"{File}{(Line is { } line ? $":{line}" : "")}{(Line is not null && Column is { } column ? $":{column}" : "")}: {Message}";
}

/// <summary>
/// Checks the platform's files offline, before anything changes. (A minimal version: it loads each file the way the
/// build does and checks that helmfile.yaml targets the cluster kind-config.yaml names.)
/// </summary>
internal static class PlatformValidator
{
    /// <summary>
    /// Every problem found offline in kind-config.yaml, helmfile.yaml, gateway-api.yaml, tools.yaml, .env/.env.local
    /// (root = the clone; environment = process environment lookup). Empty when everything is fine.
    /// </summary>
    public static IReadOnlyList<ConfigProblem> Validate(string root, Func<string, string?> environment)
    {
        var problems = new List<ConfigProblem>();
        T? Read<T>(Func<T> load) where T : class
        {
            try { return load(); }
            catch (ConfigFileException e)
            {
                var file = Path.GetFileName(e.FilePath);
                problems.Add(new ConfigProblem(file, null, null, e.Message.StartsWith(file + ": ") ? e.Message[(file.Length + 2)..] : e.Message));
                return null;
            }
        }

        var kind = Read(() => KindConfig.Load(Path.Combine(root, "kind-config.yaml")));
        var helmfile = Read(() => HelmfileSpec.Load(Path.Combine(root, "helmfile.yaml")));
        Read(() => GatewayApiSpec.Load(Path.Combine(root, "gateway-api.yaml")));
        Read(() => Toolchain.ToolPins.Load(Path.Combine(root, Toolchain.ToolPins.FileName)));
        var variables = Read(() => PlatformEnvironment.Load(root, environment));
        if (variables is not null) Read(() => (object)ImageCacheSetting.IsOn(variables));
        Read(() => RegistryMirrors.Load(Path.Combine(root, "kind-config.yaml")));
        if (kind is not null && helmfile is not null && helmfile.KubeContext != kind.ContextName)
            problems.Add(new ConfigProblem("helmfile.yaml", null, null,
                $"helmDefaults.kubeContext is '{helmfile.KubeContext}' but kind-config.yaml names the cluster '{kind.Name}' (context {kind.ContextName}). " +
                "Make them agree so helmfile and the build target the same cluster."));
        return problems;
    }
}
