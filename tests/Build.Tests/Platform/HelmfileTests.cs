using DataPlatform.Build.Platform;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Tests.Platform;

public sealed partial class HelmfileTests
{
    /// <summary>
    /// Variables the build computes and exports before `helmfile apply`; they are not in .env.
    /// METALLB_IP_RANGE: the last ten usable addresses of the kind network's IPv4 subnet.
    /// REGISTRY_HTPASSWD: the bcrypt htpasswd line for REGISTRY_USER / REGISTRY_PASSWORD.
    /// </summary>
    private static readonly string[] BuildComputedVariables = ["METALLB_IP_RANGE", "REGISTRY_HTPASSWD"];

    private static readonly YamlMappingNode Helmfile = Yaml.LoadMapping(RepoRoot.File("helmfile.yaml"));

    private static IEnumerable<YamlMappingNode> Releases => Helmfile.Items("releases").Cast<YamlMappingNode>();

    private static string Id(YamlMappingNode release) => $"{release.Scalar("namespace")}/{release.Scalar("name")}";

    [GeneratedRegex(@"^v?\d+\.\d+\.\d+$")]
    private static partial Regex ExactVersion();

    [Fact]
    public void Defaults_target_the_kind_context_and_wait()
    {
        var defaults = Assert.IsType<YamlMappingNode>(Helmfile.Get("helmDefaults"));

        Assert.Equal("kind-data-platform", defaults.Scalar("kubeContext"));
        Assert.Equal("true", defaults.Scalar("wait"));
        Assert.Equal("600", defaults.Scalar("timeout"));
    }

    [Fact]
    public void Holds_the_seed_releases_and_the_cloudnative_pg_operator()
    {
        string[] expected =
        [
            "metallb-system/metallb", "metallb-system/kubedeploy-metallb",
            "cert-manager/cert-manager", "cert-manager/cert-manager-extra-objects",
            "cert-manager/trust-manager", "cert-manager/trust-manager-extra-objects",
            "traefik/traefik", "minio/minio-extra-objects-pre", "minio/minio",
            "cnpg-system/cloudnative-pg", "postgresql/pg-source", "registry/registry",
        ];

        Assert.Equal(expected.Order(), Releases.Select(Id).Order());
    }

    [Fact]
    public void Every_remote_chart_is_pinned_to_an_exact_version_from_a_declared_repository()
    {
        var repositories = Helmfile.Items("repositories").Cast<YamlMappingNode>().Select(r => r.Scalar("name")).ToHashSet();

        foreach (var release in Releases)
        {
            var chart = release.Scalar("chart")!;
            if (chart.StartsWith("./", StringComparison.Ordinal))
            {
                Assert.True(Directory.Exists(RepoRoot.File(chart)), $"{Id(release)}: local chart {chart} does not exist");
                Assert.True(File.Exists(Path.Combine(RepoRoot.File(chart), "Chart.yaml")), $"{Id(release)}: {chart} has no Chart.yaml");
                continue;
            }

            Assert.Contains(chart.Split('/')[0], repositories);
            var version = release.Scalar("version");
            Assert.True(version is not null && ExactVersion().IsMatch(version), $"{Id(release)}: chart {chart} is not pinned to an exact version ({version ?? "none"})");
        }
    }

    [Fact]
    public void Every_need_resolves_to_a_release()
    {
        var ids = Releases.Select(Id).ToHashSet();

        foreach (var release in Releases)
        {
            foreach (var need in release.Items("needs").Cast<YamlScalarNode>())
            {
                Assert.True(ids.Contains(need.Value!), $"{Id(release)} needs {need.Value}, which is not a release (namespace/name)");
            }
        }
    }

    [Fact]
    public void Needs_form_no_cycle()
    {
        var graph = Releases.ToDictionary(Id, r => r.Items("needs").Cast<YamlScalarNode>().Select(n => n.Value!).ToList());
        var state = new Dictionary<string, int>(); // 1 = visiting, 2 = done

        void Visit(string id, Stack<string> path)
        {
            if (state.GetValueOrDefault(id) == 2) return;
            path.Push(id);
            Assert.True(state.GetValueOrDefault(id) != 1, $"needs cycle: {string.Join(" <- ", path)}");
            state[id] = 1;
            foreach (var need in graph.GetValueOrDefault(id) ?? []) Visit(need, path);
            state[id] = 2;
            path.Pop();
        }

        foreach (var id in graph.Keys) Visit(id, new Stack<string>());
    }

    [Fact]
    public void Seed_dependency_order_is_kept()
    {
        var needs = Releases.ToDictionary(Id, r => r.Items("needs").Cast<YamlScalarNode>().Select(n => n.Value!).ToHashSet());

        Assert.Contains("metallb-system/metallb", needs["metallb-system/kubedeploy-metallb"]);
        Assert.Contains("cert-manager/cert-manager", needs["cert-manager/cert-manager-extra-objects"]);
        Assert.Contains("cert-manager/cert-manager-extra-objects", needs["cert-manager/trust-manager"]);
        Assert.Contains("cert-manager/trust-manager", needs["cert-manager/trust-manager-extra-objects"]);
        Assert.Contains("cert-manager/cert-manager", needs["traefik/traefik"]);
        Assert.Contains("cert-manager/cert-manager-extra-objects", needs["minio/minio-extra-objects-pre"]);
        Assert.Contains("minio/minio-extra-objects-pre", needs["minio/minio"]);
        Assert.Contains("traefik/traefik", needs["postgresql/pg-source"]);
        Assert.Contains("cnpg-system/cloudnative-pg", needs["postgresql/pg-source"]);
        Assert.Contains("minio/minio", needs["registry/registry"]);
    }

    [Fact]
    public void Every_values_file_exists()
    {
        foreach (var release in Releases)
        {
            foreach (var file in release.Items("values").OfType<YamlScalarNode>())
            {
                Assert.True(File.Exists(RepoRoot.File(file.Value!)), $"{Id(release)}: values file {file.Value} does not exist");
            }
        }
    }

    [Fact]
    public void Every_readFile_target_exists_next_to_its_template()
    {
        var found = 0;
        foreach (var template in Directory.EnumerateFiles(RepoRoot.File("values"), "*.gotmpl"))
        {
            // helmfile renders a release values file with that file's directory as base path.
            var baseDir = Path.GetDirectoryName(template)!;
            foreach (var target in GoTemplate.ReadFileTargets(File.ReadAllText(template)))
            {
                found++;
                Assert.True(File.Exists(Path.Combine(baseDir, target)), $"{Path.GetFileName(template)}: readFile \"{target}\" not found in {baseDir}");
            }
        }

        Assert.True(found > 0, "expected pg-source to read its SQL files with readFile");
    }

    [Fact]
    public void Every_environment_variable_used_is_declared_in_dotenv_or_computed_by_the_build()
    {
        var declared = DotEnv.Load(RepoRoot.File(".env")).Keys.Concat(BuildComputedVariables).ToHashSet();
        var templates = Directory.EnumerateFiles(RepoRoot.File("values"), "*.gotmpl").Append(RepoRoot.File("helmfile.yaml"));

        foreach (var template in templates)
        {
            foreach (var variable in GoTemplate.EnvironmentVariables(File.ReadAllText(template)))
            {
                Assert.True(declared.Contains(variable), $"{Path.GetFileName(template)} uses {variable}, which is neither in .env nor computed by the build");
            }
        }
    }

    [Fact]
    public void Gateway_api_version_is_kept_in_one_small_file()
    {
        var gatewayApi = Yaml.LoadMapping(RepoRoot.File("gateway-api.yaml"));

        Assert.Matches(@"^v\d+\.\d+\.\d+$", gatewayApi.Scalar("version"));
        Assert.Contains("{version}", gatewayApi.Scalar("url"));
        Assert.EndsWith("/experimental-install.yaml", gatewayApi.Scalar("url"));
    }
}
