using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Tests.Infrastructure;

namespace DataPlatform.Build.Tests.Kube;

/// <summary>The kubeconfig is read with kubectl's rules (client-go's loading rules), from files in a temp dir and an injected environment.</summary>
public sealed class KubeconfigReaderTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("kubeconfig-").FullName;
    string Home => Path.Combine(_dir, "home");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A kubeconfig with one context per (name, server), no current context.</summary>
    string Write(string file, params (string Context, string Server)[] entries) =>
        Kubeconfig.WriteFile(Path.Combine(_dir, file), null, entries);

    KubeconfigReader Reader(string? kubeconfigVariable) =>
        new(name => name switch { "KUBECONFIG" => kubeconfigVariable, "HOME" => Home, _ => null });

    /// <summary>
    /// The reader parses kubeconfigs with KubernetesYaml's settings less its converters (byte[], IntOrString,
    /// ResourceQuantity) and its JSON-name overrides, which apply to the k8s.Models types only. A KubernetesClient
    /// upgrade whose kubeconfig model starts to reach one of those fails here.
    /// </summary>
    [Fact]
    public void The_kubeconfig_model_needs_none_of_KubernetesYamls_converters_or_JSON_name_overrides()
    {
        var reached = new HashSet<Type>();
        void Reach(Type type)
        {
            if (!reached.Add(type)) return;
            foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : type.IsArray ? [type.GetElementType()!] : [])
                Reach(argument);
            if (type.Namespace?.StartsWith("k8s", StringComparison.Ordinal) == true)
                foreach (var property in type.GetProperties()) Reach(property.PropertyType);
        }
        Reach(typeof(k8s.KubeConfigModels.K8SConfiguration));

        Assert.Contains(typeof(k8s.KubeConfigModels.ExternalExecution), reached);   // the walk reaches the exec plugin's settings
        Assert.DoesNotContain(reached, t => t == typeof(byte[]) || t == typeof(k8s.Models.IntOrString) || t == typeof(k8s.Models.ResourceQuantity));
        Assert.DoesNotContain(reached, t => t.Namespace == "k8s.Models");
    }

    [Fact]
    public void Without_KUBECONFIG_only_the_home_kubeconfig_is_read()
    {
        Write("home/.kube/config", ("kind-data-platform", "https://home:6443"));
        Write("elsewhere.yaml", ("other", "https://other:6443"));

        var merged = Reader(null).Read();

        Assert.Equal("https://home:6443", merged.ServerOf("kind-data-platform"));
        Assert.False(merged.HasContext("other"));
    }

    [Fact]
    public void An_empty_KUBECONFIG_counts_as_unset()
    {
        Write("home/.kube/config", ("kind-data-platform", "https://home:6443"));

        Assert.True(Reader("").Read().HasContext("kind-data-platform"));
        Assert.True(Reader(":").Read().HasContext("kind-data-platform")); // only empty entries: nothing listed
    }

    [Fact]
    public void A_KUBECONFIG_list_replaces_the_home_kubeconfig_and_is_merged_with_the_first_definition_winning()
    {
        Write("home/.kube/config", ("home-only", "https://home:6443"));
        var first = Write("first.yaml", ("kind-data-platform", "https://right:6443"), ("a", "https://a1:6443"));
        var second = Write("second.yaml", ("kind-data-platform", "https://stale:6443"), ("b", "https://b2:6443"));

        var merged = Reader($"{first}:{second}").Read();

        Assert.Equal("https://right:6443", merged.ServerOf("kind-data-platform"));
        Assert.Equal(first, merged.FileOf("kind-data-platform"));
        Assert.Equal("https://b2:6443", merged.ServerOf("b"));   // entries only the later file defines are kept
        Assert.False(merged.HasContext("home-only"));            // ~/.kube/config is not read when KUBECONFIG is set
        Assert.Equal("token-of-kind-data-platform", merged.ClientConfiguration("kind-data-platform").AccessToken);
    }

    [Fact]
    public void Each_entry_wins_by_its_own_name_so_a_context_can_take_its_cluster_from_a_later_file()
    {
        // kubectl merges clusters, users and contexts as separate maps: a context from the first file may name a
        // cluster that only the second file defines.
        var contexts = Path.Combine(_dir, "contexts.yaml");
        File.WriteAllText(contexts, """
            apiVersion: v1
            kind: Config
            contexts:
            - name: kind-data-platform
              context: {cluster: shared, user: shared}
            """);
        var clusters = Write("clusters.yaml", ("shared", "https://shared:6443"));

        var merged = Reader($"{contexts}:{clusters}").Read();

        Assert.Equal("https://shared:6443", merged.ClientConfiguration("kind-data-platform").Host.TrimEnd('/'));
    }

    [Fact]
    public void Missing_files_and_repeats_in_the_list_are_skipped()
    {
        var real = Write("real.yaml", ("kind-data-platform", "https://right:6443"));

        var merged = Reader($"{Path.Combine(_dir, "missing.yaml")}::{real}:{real}").Read();

        Assert.Equal([real], merged.Files);
        Assert.True(merged.HasContext("kind-data-platform"));
    }

    [Fact]
    public void Context_names_are_exact_as_kubectl_compares_them()
    {
        var file = Write("k.yaml", ("Kind-Data-Platform", "https://other:6443"));

        var merged = Reader(file).Read();

        Assert.False(merged.HasContext("kind-data-platform"));
        var error = Assert.Throws<BuildFailure>(() => merged.Require("kind-data-platform"));
        Assert.Contains("kind-data-platform is not in your kubeconfig", error.Message);
        Assert.Contains(file, error.Message); // where the build looked
    }

    [Fact]
    public void An_empty_file_is_an_empty_kubeconfig()
    {
        var empty = Path.Combine(_dir, "empty.yaml");
        File.WriteAllText(empty, "");
        var real = Write("real.yaml", ("kind-data-platform", "https://right:6443"));

        Assert.True(Reader($"{empty}:{real}").Read().HasContext("kind-data-platform"));
    }

    [Fact]
    public void A_directory_in_the_list_is_named_in_the_error()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_dir, "kube.d")).FullName;

        var error = Assert.Throws<BuildFailure>(() => Reader(directory).Read());

        Assert.Contains(directory, error.Message);
        Assert.Contains("is a directory", error.Message);
    }

    [Fact]
    public void Invalid_yaml_is_named_with_its_file_and_line()
    {
        var broken = Path.Combine(_dir, "broken.yaml");
        File.WriteAllText(broken, "apiVersion: v1\nclusters: [\n  - name: x\n");
        var real = Write("real.yaml", ("kind-data-platform", "https://right:6443"));

        var error = Assert.Throws<BuildFailure>(() => Reader($"{real}:{broken}").Read());

        Assert.Contains(broken, error.Message);
        Assert.Contains("line", error.Message);
        Assert.DoesNotContain("Exception", error.Message);
    }

    [Fact]
    public void A_yaml_document_that_is_no_kubeconfig_is_named()
    {
        var list = Path.Combine(_dir, "list.yaml");
        File.WriteAllText(list, "- just\n- a list\n");

        var error = Assert.Throws<BuildFailure>(() => Reader(list).Read());

        Assert.Contains(list, error.Message);
    }

    [Fact]
    public void Relative_certificate_paths_are_resolved_against_the_file_that_names_them()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_dir, "certs")).FullName;
        var file = Path.Combine(sub, "k.yaml");
        File.WriteAllText(file, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "https://x:6443", certificate-authority: ca.crt}
            users:
            - name: u
              user: {client-certificate: client.crt, client-key: client.key}
            contexts:
            - name: kind-data-platform
              context: {cluster: c, user: u}
            """);

        var config = Reader($"{Path.Combine(_dir, "nothing.yaml")}:{file}").Read().ForContext("kind-data-platform");

        Assert.Equal(Path.Combine(sub, "ca.crt"), config.Clusters.Single().ClusterEndpoint.CertificateAuthority);
        Assert.Equal(Path.Combine(sub, "client.crt"), config.Users.Single().UserCredentials.ClientCertificate);
        Assert.Equal(Path.Combine(sub, "client.key"), config.Users.Single().UserCredentials.ClientKey);
    }

    [Theory]
    [InlineData("context: {cluster: nope, user: u}", "names the cluster nope, which no kubeconfig file defines")]
    [InlineData("context: {cluster: c, user: nope}", "names the user nope, which no kubeconfig file defines")]
    [InlineData("context: {user: u}", "names no cluster")]
    public void A_context_whose_cluster_or_user_is_missing_is_named_with_its_file(string contextBody, string expected)
    {
        var file = Path.Combine(_dir, "dangling.yaml");
        File.WriteAllText(file, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "https://x:6443"}
            users:
            - name: u
              user: {token: t}
            contexts:
            - name: kind-data-platform
              {{contextBody}}
            """);

        var error = Assert.Throws<BuildFailure>(() => Reader(file).Read().ClientConfiguration("kind-data-platform"));

        Assert.Contains(expected, error.Message);
        Assert.Contains(file, error.Message);
        Assert.DoesNotContain("k8s.", error.Message);
    }
}
