using DataPlatform.Build.Deploy;

namespace DataPlatform.Build.Tests.Deploy;

/// <summary>The fingerprint of what helmfile apply is given: files under the clone plus one hash of the variables.</summary>
public sealed class AppliedInputsTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("applied-inputs-").FullName;
    static readonly Dictionary<string, string> Variables = new() { ["MINIO_SECRET_KEY"] = "s3cr3t-value", ["METALLB_IP_RANGE"] = "172.18.255.245-172.18.255.254" };

    public AppliedInputsTests()
    {
        File.WriteAllText(Path.Combine(_root, "helmfile.yaml"), "releases: []\n");
        File.WriteAllText(Path.Combine(_root, "tools.yaml"), "kind: { version: v0.31.0 }\n");
        Directory.CreateDirectory(Path.Combine(_root, "values"));
        Directory.CreateDirectory(Path.Combine(_root, "charts", "extra-objects", "templates"));
        File.WriteAllText(Path.Combine(_root, "values", "minio.yaml.gotmpl"), "replicas: 1\n");
        File.WriteAllText(Path.Combine(_root, "charts", "extra-objects", "templates", "objects.yaml"), "{{ toYaml .Values.extraObjects }}\n");
        File.WriteAllText(Path.Combine(_root, "kind-config.yaml"), "name: data-platform\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    AppliedInputs Compute(IReadOnlyDictionary<string, string>? variables = null) => AppliedInputs.Compute(_root, variables ?? Variables);

    [Fact]
    public void The_same_files_and_variables_give_the_same_fingerprint()
    {
        Assert.Equal(Compute().Fingerprint, Compute(new Dictionary<string, string>(Variables.Reverse())).Fingerprint);
    }

    [Fact]
    public void Nested_chart_files_values_and_pins_are_inputs_and_kind_config_is_not()
    {
        var keys = Compute().Hashes.Keys;

        Assert.Contains("charts/extra-objects/templates/objects.yaml", keys);
        Assert.Contains("values/minio.yaml.gotmpl", keys);
        Assert.Contains("tools.yaml", keys);
        Assert.DoesNotContain("kind-config.yaml", keys);   // the cluster's shape is CreateCluster's to compare, not helmfile's
    }

    [Fact]
    public void One_changed_value_file_changes_the_fingerprint_and_is_named()
    {
        var before = Compute();
        File.WriteAllText(Path.Combine(_root, "values", "minio.yaml.gotmpl"), "replicas: 2\n");

        var after = Compute();

        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
        Assert.Equal(["values/minio.yaml.gotmpl"], after.ChangedSince(before));
    }

    [Fact]
    public void A_changed_secret_changes_the_fingerprint_without_the_secret_appearing_in_the_record()
    {
        var before = Compute();
        var after = Compute(new Dictionary<string, string>(Variables) { ["MINIO_SECRET_KEY"] = "another-value" });

        Assert.Equal([AppliedInputs.VariablesKey], after.ChangedSince(before));
        var manifest = AppliedRecordStore.Manifest(after, DateTimeOffset.UnixEpoch);
        Assert.DoesNotContain("another-value", manifest);
        Assert.DoesNotContain("s3cr3t-value", manifest);
    }

    [Fact]
    public void The_record_lines_read_back_to_the_same_inputs()
    {
        var inputs = Compute();

        var read = AppliedInputs.FromLines(inputs.ToLines());

        Assert.Equal(inputs.Fingerprint, read.Fingerprint);
        Assert.Empty(read.ChangedSince(inputs));
    }
}
