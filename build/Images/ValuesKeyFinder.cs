namespace DataPlatform.Build.Images;

/// <summary>
/// Where in values/ an image is set, so a failure can say which key to change. Values files are Go templates, not
/// always valid YAML, so this reads them line by line: the key path of each `key: value` line from its indentation.
/// </summary>
internal static class ValuesKeyFinder
{
    /// <summary>"values/minio.yaml.gotmpl: image.tag", or null when no values file sets this image.</summary>
    public static string? Find(string root, ImageReference image)
    {
        var directory = Path.Combine(root, "values");
        if (!Directory.Exists(directory)) return null;
        var tag = image.IsDigest ? null : image.Reference;
        var repositoryTail = image.Repository.StartsWith("library/") ? image.Repository["library/".Length..] : image.Repository;
        (string Where, int Rank)? best = null;
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            foreach (var (path, value) in Scalars(file))
            {
                // The whole image beats its tag, which beats its repository: the tag is what a missing image most often gets wrong.
                var rank = value == image.Original ? 3 : value == tag ? 2 : value.EndsWith(repositoryTail, StringComparison.Ordinal) && value.Length > 0 ? 1 : 0;
                if (rank > (best?.Rank ?? 0)) best = ($"{relative}: {path}", rank);
            }
        }
        return best?.Where;
    }

    static IEnumerable<(string Path, string Value)> Scalars(string file)
    {
        var stack = new List<(int Indent, string Key)>();
        string[] lines;
        try { lines = File.ReadAllLines(file); }
        catch (IOException) { yield break; }
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd();
            var content = line.TrimStart();
            if (content.Length == 0 || content.StartsWith('#') || content.StartsWith("{{")) continue;
            var indent = line.Length - content.Length;
            if (content.StartsWith("- ")) { indent += 2; content = content[2..]; }
            var colon = content.IndexOf(": ", StringComparison.Ordinal);
            var key = colon > 0 ? content[..colon] : content.EndsWith(':') ? content[..^1] : null;
            if (key is null || key.Contains(' ')) continue;
            while (stack.Count > 0 && stack[^1].Indent >= indent) stack.RemoveAt(stack.Count - 1);
            stack.Add((indent, key));
            if (colon > 0)
            {
                var value = content[(colon + 2)..].Trim().Trim('"', '\'');
                yield return (string.Join('.', stack.Select(s => s.Key)), value);
            }
        }
    }
}
