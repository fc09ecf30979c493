using System.Text.RegularExpressions;
using DataPlatform.Build.Platform;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>Invariants of helmfile.yaml: they hold whatever releases it lists, so changing the platform is a YAML edit only.</summary>
public sealed partial class HelmfileTests
{
    static IReadOnlyList<PlatformRelease> Releases => PlatformModel.Releases;

    [GeneratedRegex(@"^v?\d+\.\d+\.\d+$")]
    private static partial Regex ExactVersion();

    [Fact]
    public void Defaults_target_the_kind_cluster_and_wait()
    {
        var defaults = Assert.IsType<YamlMappingNode>(PlatformModel.Helmfile.Get("helmDefaults"));
        var cluster = Yaml.LoadMapping(RepoRoot.File("kind-config.yaml")).Scalar("name");

        // kind names the context kind-<cluster name>; the build refuses to run when they disagree.
        Assert.Equal($"kind-{cluster}", defaults.Scalar("kubeContext"));
        // `needs` orders releases only if each one waits until it is ready.
        Assert.Equal("true", defaults.Scalar("wait"));
        Assert.True(int.TryParse(defaults.Scalar("timeout"), out var timeout) && timeout > 0, "helmDefaults.timeout must be a positive number of seconds");
    }

    /// <summary>
    /// Every release helmfile installs carries the platform's ownership label on helm's record of it: helmfile merges
    /// commonLabels into each release's labels, a commonLabels key over the release's own (pkg/state/state_exec_tmpl.go
    /// ExecuteTemplates), and with syncReleaseLabels hands them to `helm upgrade --install --labels`, less helm's system
    /// labels, which helm would refuse (pkg/state/helmx.go appendLabelsFlags, formatLabels; helm pkg/storage/driver/util.go).
    /// </summary>
    [Fact]
    public void Every_release_helmfile_installs_carries_the_ownership_label()
    {
        string[] helmSystemLabels = ["name", "owner", "status", "version", "createdAt", "modifiedAt"];
        var ownership = HelmfileSpec.Load(RepoRoot.File("helmfile.yaml")).Ownership;
        var helmfile = PlatformModel.Helmfile;
        Assert.Equal("true", Assert.IsType<YamlMappingNode>(helmfile.Get("helmDefaults")).Scalar("syncReleaseLabels"));
        Assert.DoesNotContain(OwnershipLabel.Key, helmSystemLabels);
        var common = Assert.IsType<YamlMappingNode>(helmfile.Get("commonLabels")).Children.ToDictionary(l => l.Key.ToString(), l => l.Value.ToString());

        var releases = Assert.IsType<YamlSequenceNode>(helmfile.Get("releases")).Children.Cast<YamlMappingNode>().ToList();
        Assert.Equal(Releases.Count, releases.Count);
        foreach (var release in releases)
        {
            var own = (release.Get("labels") as YamlMappingNode)?.Children.ToDictionary(l => l.Key.ToString(), l => l.Value.ToString()) ?? [];
            var givenToHelm = own.Concat(common).GroupBy(l => l.Key).Select(g => g.Last()).Where(l => !helmSystemLabels.Contains(l.Key)).ToDictionary();
            Assert.True(ownership.Marks(givenToHelm), $"{release.Scalar("name")} would be installed without {ownership.Selector}");
            // helmfile's selectors read the release's own labels over commonLabels (pkg/state/state.go GetReleasesWithLabels):
            // one of its own under the same key would make the release look like someone else's to them.
            Assert.False(own.ContainsKey(OwnershipLabel.Key), $"{release.Scalar("name")} sets {OwnershipLabel.Key} itself");
        }
    }

    [Fact]
    public void Every_release_is_named_once()
    {
        Assert.NotEmpty(Releases);
        var duplicates = Releases.GroupBy(r => r.Id).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(duplicates);
    }

    [Fact]
    public void Every_chart_is_pinned_remote_ones_in_helmfile_local_ones_in_their_Chart_yaml()
    {
        var repositories = PlatformModel.Helmfile.Items("repositories").Cast<YamlMappingNode>().Select(r => r.Scalar("name")).ToHashSet();

        foreach (var release in Releases)
        {
            if (release.Chart.StartsWith("./", StringComparison.Ordinal))
            {
                var chartYaml = RepoRoot.File(release.Chart, "Chart.yaml");
                Assert.True(File.Exists(chartYaml), $"{release.Id}: local chart {release.Chart} has no Chart.yaml");
                var version = Yaml.LoadMapping(chartYaml).Scalar("version");
                Assert.True(version is not null && ExactVersion().IsMatch(version), $"{release.Chart}/Chart.yaml: version {version ?? "none"} is not x.y.z");
                continue;
            }

            Assert.True(repositories.Contains(release.Chart.Split('/')[0]), $"{release.Id}: chart {release.Chart} is from an undeclared repository");
            Assert.True(release.Version is not null && ExactVersion().IsMatch(release.Version),
                $"{release.Id}: chart {release.Chart} is not pinned to an exact version ({release.Version ?? "none"})");
        }
    }

    [Fact]
    public void Every_need_resolves_to_a_release()
    {
        var ids = Releases.Select(r => r.Id).ToHashSet();

        foreach (var release in Releases)
        {
            foreach (var need in release.Needs)
            {
                Assert.True(ids.Contains(need), $"{release.Id} needs {need}, which is not a release (namespace/name)");
            }
        }
    }

    [Fact]
    public void Needs_form_no_cycle()
    {
        foreach (var release in Releases)
        {
            Assert.False(PlatformModel.NeedsClosure(release).Contains(release.Id), $"needs cycle through {release.Id}");
        }
    }

    [Fact]
    public void Every_values_file_exists()
    {
        foreach (var release in Releases)
        {
            foreach (var file in release.ValuesFiles)
            {
                Assert.True(File.Exists(RepoRoot.File(file)), $"{release.Id}: values file {file} does not exist");
            }
        }
    }

    [Fact]
    public void Every_values_file_belongs_to_a_release()
    {
        var used = Releases.SelectMany(r => r.ValuesFiles).Select(f => Path.GetFullPath(RepoRoot.File(f))).ToHashSet();
        var unused = Directory.EnumerateFiles(RepoRoot.File("values"))
            .Where(f => !used.Contains(Path.GetFullPath(f)))
            .Select(f => Path.GetRelativePath(RepoRoot.Path, f));

        Assert.Empty(unused);
    }

    [Fact]
    public void Every_readFile_target_exists_next_to_its_template()
    {
        foreach (var template in Directory.EnumerateFiles(RepoRoot.File("values"), "*.gotmpl"))
        {
            // helmfile renders a release values file with that file's directory as base path.
            var baseDir = Path.GetDirectoryName(template)!;
            foreach (var target in GoTemplate.ReadFileTargets(File.ReadAllText(template)))
            {
                Assert.True(File.Exists(Path.Combine(baseDir, target)), $"{Path.GetFileName(template)}: readFile \"{target}\" not found in {baseDir}");
            }
        }
    }

    [Fact]
    public void Every_environment_variable_used_is_declared_in_dotenv_or_computed_by_the_build()
    {
        var dotEnv = DotEnv.Load(RepoRoot.File(".env"));
        var declared = dotEnv.Keys.Concat(PlatformModel.ComputedVariables(dotEnv).Keys).ToHashSet();
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
    public void Every_variable_written_into_a_secret_is_masked()
    {
        // A variable that ends up in a Secret (or a password/secret key of a chart) is a secret: its name must say so,
        // because the build masks values by key name (PlatformEnvironment.IsSecretKey).
        foreach (var template in Directory.EnumerateFiles(RepoRoot.File("values"), "*.gotmpl"))
        {
            foreach (var line in File.ReadLines(template))
            {
                var colon = line.IndexOf(':');
                var key = colon > 0 ? line[..colon].Trim().ToLowerInvariant() : "";
                var secretish = key.Contains("secret") || key.Contains("password") || line.Contains("b64enc", StringComparison.Ordinal);
                foreach (var variable in GoTemplate.EnvironmentVariables(line).Where(_ => secretish))
                {
                    Assert.True(PlatformEnvironment.IsSecretKey(variable),
                        $"{Path.GetFileName(template)}: {variable} is written into '{key}' but its name does not mark it secret (SECRET, PASSWORD, TOKEN), so the build would print it");
                }
            }
        }
    }

    [Fact]
    public void Gateway_api_version_is_kept_in_one_small_file_and_its_channel_suits_traefik()
    {
        var gatewayApi = Yaml.LoadMapping(RepoRoot.File("gateway-api.yaml"));

        Assert.Matches(@"^v\d+\.\d+\.\d+$", gatewayApi.Scalar("version"));
        Assert.Contains("{version}", gatewayApi.Scalar("url"));

        // Traefik's experimental channel (TCPRoute, TLSRoute) needs the experimental CRDs.
        var experimental = Releases.Where(r => r.ChartName == "traefik").Any(r =>
            ((PlatformModel.Values(r).Get("providers") as YamlMappingNode)?.Get("kubernetesGateway") as YamlMappingNode)?.Scalar("experimentalChannel") == "true");
        if (experimental)
            Assert.True(gatewayApi.Scalar("url")!.EndsWith("/experimental-install.yaml", StringComparison.Ordinal),
                "traefik enables the Gateway API experimental channel, but gateway-api.yaml installs the standard CRDs");
    }
}
