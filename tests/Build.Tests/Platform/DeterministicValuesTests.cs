using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>
/// `helmfile apply` on an unchanged platform must change nothing: a value that differs from one render to the next
/// makes helm-diff see a change and restarts pods on every Up. By hand, with the real tools:
/// `helmfile diff` right after Up prints nothing.
/// </summary>
public sealed class DeterministicValuesTests
{
    public static TheoryData<string> ValuesFiles() =>
        new(PlatformModel.Releases.SelectMany(r => r.ValuesFiles).Distinct());

    [Theory]
    [MemberData(nameof(ValuesFiles))]
    public void Values_file_renders_the_same_twice(string valuesFile)
    {
        var environment = PlatformModel.Environment();

        var first = PlatformModel.Render(valuesFile, environment);
        var second = PlatformModel.Render(valuesFile, environment);

        Assert.True(first == second, $"{valuesFile} renders differently each time: some value is drawn per render (rand*, uuidv4, now).");
        Assert.NotEmpty(Yaml.Parse(first, valuesFile));
    }

    [Fact]
    public void A_per_render_function_makes_the_render_differ()
    {
        // Proves the test above can fail: the renderer implements rand* as helmfile does.
        var file = Path.Combine(Path.GetTempPath(), $"random-{Guid.NewGuid():N}.yaml.gotmpl");
        File.WriteAllText(file, "secret: {{ randAlphaNum 16 | quote }}\n");
        try
        {
            Assert.NotEqual(GoTemplate.Render(file, new Dictionary<string, string>()), GoTemplate.Render(file, new Dictionary<string, string>()));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Values the pinned charts draw at random on every render when left empty, read from their templates:
    /// docker-registry 3.0.0 secret.yaml (`randAlphaNum 16`, hashed into a pod annotation), minio 5.4.0 _helpers.tpl
    /// (`randAlphaNum` root credentials unless a Secret already exists). trust-manager v0.24.0 is in the next test.
    /// The other pinned charts (metallb, cert-manager, traefik without Hub, cloudnative-pg) draw nothing per render.
    /// </summary>
    public static TheoryData<string, string> RandomUnlessSet() => new()
    {
        { "docker-registry", "secrets.haSharedSecret" },
        { "minio", "rootUser" },
        { "minio", "rootPassword" },
    };

    [Theory]
    [MemberData(nameof(RandomUnlessSet))]
    public void Chart_values_that_would_be_random_are_set(string chart, string path)
    {
        var releases = PlatformModel.Releases.Where(r => r.ChartName == chart).ToList();

        foreach (var release in releases)
        {
            Assert.True(Lookup(PlatformModel.Values(release), path) is YamlScalarNode { Value.Length: > 0 },
                $"{release.Id}: {path} is not set in its values, so chart {chart} draws a new random one on every apply.");
        }
    }

    [Fact]
    public void Trust_manager_webhook_certificate_is_not_made_by_helm()
    {
        // With app.webhook.tls.helmCert.enabled, trust-manager v0.24.0 runs genCA/genSignedCert and adds a
        // randAlphaNum pod annotation on every render.
        foreach (var release in PlatformModel.Releases.Where(r => r.ChartName == "trust-manager"))
        {
            Assert.NotEqual("true", (Lookup(PlatformModel.Values(release), "app.webhook.tls.helmCert.enabled") as YamlScalarNode)?.Value);
        }
    }

    static YamlNode? Lookup(YamlMappingNode values, string path)
    {
        YamlNode? node = values;
        foreach (var key in path.Split('.')) node = (node as YamlMappingNode)?.Get(key);
        return node;
    }
}
