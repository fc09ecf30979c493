using System.Runtime.InteropServices;
using DataPlatform.Build.Frosting;
using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;


namespace DataPlatform.Build.Kube;

/// <summary>Reads the kubeconfig the way kubectl, kind and helmfile do; injected so tests can point it at any environment.</summary>
internal interface IKubeconfigReader
{
    MergedKubeconfig Read();
}

/// <summary>
/// kubectl's loading rules (client-go clientcmd): a non-empty KUBECONFIG is a list of files (':' separated, ';' on
/// Windows), empty entries and repeats dropped, missing files skipped, the rest merged in order with the first file to
/// define a cluster, context or user by name winning; an unset or empty KUBECONFIG means ~/.kube/config alone.
/// A file that exists but cannot be read or parsed stops kubectl, and stops the build too, naming the file.
/// KubernetesClient's LoadKubeConfig() reads ~/.kube/config only, and its own merge fails on a missing file,
/// so it is not used for this.
/// </summary>
internal sealed class KubeconfigReader(Func<string, string?> environment) : IKubeconfigReader
{
    public static KubeconfigReader FromProcess() => new(Environment.GetEnvironmentVariable);

    static char Separator => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? ';' : ':';

    /// <summary>The files kubectl would consider, in priority order, and how the user chose them (for messages).</summary>
    public (IReadOnlyList<string> Files, string Origin) Locate()
    {
        if (environment("KUBECONFIG") is { Length: > 0 } list)
        {
            var files = list.Split(Separator).Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            if (files.Count > 0) return (files, $"KUBECONFIG={list}");
        }
        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return ([Path.Combine(home, ".kube", "config")], "~/.kube/config");
    }

    public MergedKubeconfig Read()
    {
        var (files, origin) = Locate();
        var loaded = new List<(string File, K8SConfiguration Config)>();
        foreach (var file in files)
        {
            if (Load(file) is { } config) loaded.Add((file, config));
        }
        return MergedKubeconfig.Merge(loaded, origin);
    }

    /// <summary>
    /// KubernetesYaml.Deserialize's non-strict reading of a kubeconfig (camelCase names, the models' YamlMember aliases,
    /// unknown fields ignored, merge keys expanded; kubernetes-client/csharp src/KubernetesClient/KubernetesYaml.cs)
    /// without its static set-up, which reflects over every model type of the API (about half a second, on every run
    /// that reads the kubeconfig). Its extra converters and JSON-name overrides concern the k8s.Models types only.
    /// </summary>
    static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithAttemptingUnquotedStringTypeDeserialization()
        .IgnoreUnmatchedProperties()
        .Build();

    static readonly Lock DeserializerLock = new();

    static K8SConfiguration? Parse(string text)
    {
        using var reader = new StringReader(text);
        // KubernetesYaml locks too: YamlDotNet does not promise that one deserializer serves two threads at once.
        lock (DeserializerLock) return Deserializer.Deserialize<K8SConfiguration>(new MergingParser(new Parser(reader)));
    }

    /// <summary>One file: null when it does not exist (kubectl skips it); a BuildFailure naming it when it cannot be used.</summary>
    static K8SConfiguration? Load(string file)
    {
        if (Directory.Exists(file))
            throw new BuildFailure($"kubeconfig {file} is a directory, not a file. Fix KUBECONFIG (or ~/.kube/config) so it lists kubeconfig files only.");
        string text;
        try
        {
            if (!File.Exists(file)) return null;
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BuildFailure($"kubeconfig {file} cannot be read ({e.Message}). Fix its permissions, or take it out of KUBECONFIG.", e);
        }
        try
        {
            // An empty file is an empty kubeconfig to kubectl, not an error.
            return string.IsNullOrWhiteSpace(text) ? new K8SConfiguration() : Parse(text) ?? new K8SConfiguration();
        }
        catch (YamlException e)
        {
            // A YAML syntax error has a message worth showing; a type mismatch's message names .NET types, so describe it instead.
            var reason = e is SyntaxErrorException or SemanticErrorException
                ? e.Message.Split('\n')[0].TrimEnd('.')
                : "this is not the shape of a kubeconfig: a mapping with apiVersion, kind and lists of clusters, users and contexts";
            throw new BuildFailure($"kubeconfig {file} is not a valid kubeconfig (line {e.Start.Line}: {reason}). " +
                "Fix or remove that file; kubectl cannot read it either (try: kubectl config view).", e);
        }
    }
}
