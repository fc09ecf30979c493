using DataPlatform.Build.Platform;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// The one cluster this run talks to: the kind cluster kind-config.yaml describes (kind-&lt;name&gt;), or an existing
/// cluster chosen with PLATFORM_CONTEXT. Every kubectl, helm, helmfile and KubernetesClient call is pinned to
/// <see cref="Context"/>; nothing else of the kubeconfig is used.
/// </summary>
internal sealed record TargetCluster(string Context, bool IsExisting, string? ChosenIn)
{
    public const string Variable = "PLATFORM_CONTEXT";

    /// <summary>Where a user may choose the context: the committed .env is shared by every clone, so it may not.</summary>
    public const string LocalFile = ".env.local";
    public const string CommittedFile = ".env";

    /// <summary>The kind cluster of kind-config.yaml: what every run targets unless PLATFORM_CONTEXT names another context.</summary>
    public bool IsKind => !IsExisting;

    /// <summary>"the existing cluster prod (PLATFORM_CONTEXT in .env.local)", for the lines that say why a step is skipped.</summary>
    public string Describe() => IsExisting ? $"the existing cluster {Context} ({Variable} from {ChosenIn})" : $"the kind cluster {Context}";

    /// <summary>
    /// PLATFORM_CONTEXT from the environment, else from .env.local; empty or this clone's own kind context means kind.
    /// Read on its own (not through the merged variables) so Clean finds it when helmfile.yaml or .env is broken.
    /// </summary>
    public static TargetCluster Resolve(string root, KindConfig kind, Func<string, string?> environment)
    {
        var (value, source) = Chosen(root, environment);
        return string.IsNullOrWhiteSpace(value) || value.Trim() == kind.ContextName
            ? new TargetCluster(kind.ContextName, IsExisting: false, null)
            : new TargetCluster(value.Trim(), IsExisting: true, source);
    }

    static (string? Value, string? Source) Chosen(string root, Func<string, string?> environment)
    {
        if (environment(Variable) is { Length: > 0 } fromProcess) return (fromProcess, "the environment");
        var local = Entry(root, LocalFile);
        return local is null ? (null, null) : (local.Value, $"{LocalFile}:{local.Line}");
    }

    /// <summary>The last PLATFORM_CONTEXT line of a .env file (a later line wins, as in a shell), or null.</summary>
    public static DotEnvEntry? Entry(string root, string file)
    {
        var problems = new List<ConfigProblem>();
        // A bad line elsewhere in the file is the validator's to report; here only this key matters.
        return DotEnv.Read(Path.Combine(root, file), problems).LastOrDefault(e => e.Key == Variable);
    }

    /// <summary>A file name safe for the cluster's lock: a cloud context is often an ARN or holds '/' and ':'.</summary>
    public string LockName => IsExisting
        ? "context-" + string.Concat(Context.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'))
        : Context["kind-".Length..];
}
