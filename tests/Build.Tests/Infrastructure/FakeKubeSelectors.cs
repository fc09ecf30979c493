using System.Text.Json.Nodes;

namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>
/// labelSelector and fieldSelector, read as the API server reads them (k8s.io/apimachinery/pkg/labels/selector.go:
/// =, ==, !=, in, notin, exists, !exists; pkg/fields/selector.go: =, ==, != on a field path), and the merge patches
/// (RFC 7386; a strategic merge patch is read as one, its $-directives dropped: enough for the maps of a ConfigMap).
/// </summary>
public static class FakeKubeSelectors
{
    public static bool MatchesLabels(JsonObject obj, string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector)) return true;
        var labels = obj["metadata"]?["labels"] as JsonObject;
        string? Label(string key) => labels?[key]?.GetValue<string>();
        foreach (var raw in SplitTopLevel(selector))
        {
            var term = raw.Trim();
            if (term.Length == 0) continue;
            if (term.StartsWith('!')) { if (Label(term[1..].Trim()) is not null) return false; continue; }
            var setMatch = System.Text.RegularExpressions.Regex.Match(term, @"^(\S+)\s+(in|notin)\s*\((.*)\)$");
            if (setMatch.Success)
            {
                var values = setMatch.Groups[3].Value.Split(',').Select(v => v.Trim()).ToHashSet();
                var value = Label(setMatch.Groups[1].Value);
                var inSet = value is not null && values.Contains(value);
                if (setMatch.Groups[2].Value == "in" ? !inSet : inSet) return false;
                continue;
            }
            if (!Compare(term, Label)) return false;
        }
        return true;
    }

    public static bool MatchesFields(JsonObject obj, string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector)) return true;
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!Compare(term, path => Field(obj, path))) return false;
        return true;
    }

    /// <summary>`key=value`, `key==value`, `key!=value`, or a bare key (the label exists).</summary>
    static bool Compare(string term, Func<string, string?> read)
    {
        var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
        if (notEqual > 0) return read(term[..notEqual].Trim()) != term[(notEqual + 2)..].Trim();
        var equal = term.IndexOf('=');
        if (equal < 0) return read(term) is not null;
        var value = term[(equal + 1)..].TrimStart('=').Trim();
        return read(term[..equal].Trim()) == value;
    }

    /// <summary>A dotted field path (metadata.name, status.phase, type): a missing field reads as "", as the server's field sets do.</summary>
    static string Field(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.')) node = node?[part];
        return node is JsonValue value ? value.ToString() : "";
    }

    static IEnumerable<string> SplitTopLevel(string selector)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < selector.Length; i++)
        {
            if (selector[i] == '(') depth++;
            else if (selector[i] == ')') depth--;
            else if (selector[i] == ',' && depth == 0) { yield return selector[start..i]; start = i + 1; }
        }
        yield return selector[start..];
    }

    /// <summary>RFC 7386 JSON merge patch of <paramref name="target"/> in place; keys starting with $ (strategic merge directives) are skipped.</summary>
    public static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (key.StartsWith('$')) continue;
            if (value is null) target.Remove(key);
            else if (value is JsonObject patchObject && target[key] is JsonObject targetObject) MergePatch(targetObject, patchObject);
            else if (value is JsonObject fresh)
            {
                var created = new JsonObject();
                MergePatch(created, fresh);
                target[key] = created;
            }
            else target[key] = value.DeepClone();
        }
    }
}
