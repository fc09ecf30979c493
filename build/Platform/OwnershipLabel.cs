using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Platform;

/// <summary>
/// The platform's mark, read from helmfile.yaml's `commonLabels:`: helmfile merges commonLabels into every release's
/// labels (helmfile pkg/state/state_exec_tmpl.go ExecuteTemplates) and, with syncReleaseLabels, hands them to
/// `helm upgrade --install --labels` (pkg/state/helmx.go appendLabelsFlags), which stores them on the release's record
/// (helm pkg/storage/driver/secrets.go newSecretsObject: the Secret sh.helm.release.v1.&lt;name&gt;.v&lt;revision&gt;).
/// On an existing cluster the build puts the same label on the namespaces it creates, and never changes or deletes a
/// release or a namespace without it.
/// </summary>
internal sealed partial record OwnershipLabel(string Value)
{
    /// <summary>
    /// Kubernetes' recommended label for "the tool being used to manage the operation of an application"
    /// (kubernetes.io/docs/concepts/overview/working-with-objects/common-labels): the entry of commonLabels the build
    /// looks for. The value, the platform's own name, is the file's.
    /// </summary>
    public const string Key = "app.kubernetes.io/managed-by";

    public string Selector => $"{Key}={Value}";

    public bool Marks(IEnumerable<KeyValuePair<string, string>>? labels) => labels?.Any(l => l.Key == Key && l.Value == Value) == true;

    /// <summary>A label value as the API server accepts it (apimachinery's validation.IsValidLabelValue): 63 characters at most, alphanumeric at both ends, - _ . between.</summary>
    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex ValidValue();

    const string Fix = $"write `commonLabels:` at the top level of helmfile.yaml with the platform's name under {Key} (`commonLabels: {{ {Key}: data-platform-build }}`): " +
                       "helmfile puts it on every release, the build on the namespaces it creates, and on an existing cluster nothing without it is changed.";

    /// <summary>commonLabels' ownership entry, or null with the problem (missing, empty, not a label value) at its line.</summary>
    internal static OwnershipLabel? Read(YamlMappingNode root, YamlFields fields)
    {
        var node = YamlFields.Get(root, "commonLabels");
        if (node is null || YamlFields.IsNull(node))
        {
            fields.Add(node ?? root, $"commonLabels.{Key} is missing: " + Fix);
            return null;
        }
        if (fields.Mapping(node, "commonLabels", $"a mapping of labels ({Key}: …)") is not { } labels) return null;
        var value = fields.RequiredText(labels, Key, $"commonLabels.{Key}", "a label value", Fix);
        if (value is null) return null;
        if (!ValidValue().IsMatch(value))
        {
            fields.Add(YamlFields.Get(labels, Key)!, $"commonLabels.{Key} is '{value}', which Kubernetes refuses as a label value: " +
                "write at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, e.g. data-platform-build.");
            return null;
        }
        return new OwnershipLabel(value);
    }
}
