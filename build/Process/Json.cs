using System.Text.Json;

namespace DataPlatform.Build.Process;

/// <summary>Null-tolerant reads of the JSON that custom resources come as.</summary>
internal static class Json
{
    public static JsonElement? At(this JsonElement element, params string[] path)
    {
        var current = element;
        foreach (var name in path)
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current)) return null;
        return current;
    }

    /// <summary>A label, annotation or data value; null when the map or the key is missing.</summary>
    public static string? Get(this IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;

    public static string? Str(this JsonElement element, params string[] path) =>
        element.At(path) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    /// <summary>A map of strings (labels, annotations, a ConfigMap's data); empty when absent. Non-string values are skipped.</summary>
    public static IReadOnlyDictionary<string, string> StringMap(this JsonElement element, params string[] path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.At(path) is { ValueKind: JsonValueKind.Object } found)
            foreach (var property in found.EnumerateObject())
                if (property.Value.ValueKind == JsonValueKind.String) map[property.Name] = property.Value.GetString()!;
        return map;
    }

    /// <summary>A whole number (replica counts); null when absent or not a number that fits.</summary>
    public static int? Int(this JsonElement element, params string[] path) =>
        element.At(path) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var number) ? number : null;

    /// <summary>
    /// The items of an API list. A 200 answer that is JSON but no list (a gateway's "{}" or "[]") is not taken for an empty
    /// list: it throws the JsonException every reader of the API already reports as "not the API's JSON". The API
    /// server writes "items": [] for an empty list; null is read as empty too.
    /// </summary>
    public static IReadOnlyList<JsonElement> ListItems(this JsonElement list) => list.At("items") switch
    {
        { ValueKind: JsonValueKind.Array } items => items.EnumerateArray().ToList(),
        { ValueKind: JsonValueKind.Null } => [],
        _ => throw new JsonException("not a Kubernetes list (no \"items\" array)"),
    };

    /// <summary>An API object's name; an answer without one is not an API object (see <see cref="ListItems"/>).</summary>
    public static string ObjectName(this JsonElement element) =>
        element.Str("metadata", "name") ?? throw new JsonException("not a Kubernetes object (no metadata.name)");

    public static IEnumerable<JsonElement> Items(this JsonElement element, params string[] path) =>
        element.At(path) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    public static string Id(this JsonElement element) =>
        element.Str("metadata", "namespace") is { } ns ? $"{ns}/{element.Str("metadata", "name")}" : element.Str("metadata", "name") ?? "?";

    /// <summary>The condition of the given type: (status, reason: message), or null when it is not reported yet.</summary>
    public static (string Status, string Why)? Condition(this JsonElement element, string type)
    {
        foreach (var condition in element.Items("status", "conditions"))
            if (condition.Str("type") == type)
                return (condition.Str("status") ?? "Unknown", string.Join(": ", new[] { condition.Str("reason"), condition.Str("message") }.Where(s => !string.IsNullOrEmpty(s))));
        return null;
    }
}
