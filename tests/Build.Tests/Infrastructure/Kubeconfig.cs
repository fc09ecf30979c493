namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>
/// The one writer of kubeconfig files for the tests. Each context gets a cluster and a user of its own name, the
/// user's token being token-of-&lt;context&gt;, so a test can tell from a token or a server which context was used.
/// </summary>
public static class Kubeconfig
{
    /// <summary>The file's text; <paramref name="currentContext"/> null leaves current-context out, as a fresh kind kubeconfig may.</summary>
    public static string Yaml(string? currentContext, params (string Context, string Server)[] contexts) =>
        "apiVersion: v1\nkind: Config\n" +
        (currentContext is null ? "" : $"current-context: {currentContext}\n") +
        "clusters:\n" + string.Concat(contexts.Select(e => $"- name: {e.Context}\n  cluster:\n    server: {e.Server}\n")) +
        "users:\n" + string.Concat(contexts.Select(e => $"- name: {e.Context}\n  user:\n    token: token-of-{e.Context}\n")) +
        "contexts:\n" + string.Concat(contexts.Select(e => $"- name: {e.Context}\n  context:\n    cluster: {e.Context}\n    user: {e.Context}\n"));

    /// <summary>Writes <see cref="Yaml"/> to <paramref name="path"/>, creating its folder; returns the path.</summary>
    public static string WriteFile(string path, string? currentContext, params (string Context, string Server)[] contexts)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, Yaml(currentContext, contexts));
        return path;
    }

    /// <summary>
    /// directory/kubeconfig with the platform's context and a decoy current-context that must never be used: the build
    /// has to name its context explicitly.
    /// </summary>
    public static string Write(string directory, string platformServer, string decoyServer, string platformContext = "kind-data-platform") =>
        WriteFile(Path.Combine(directory, "kubeconfig"), "decoy", (platformContext, platformServer), ("decoy", decoyServer));
}
