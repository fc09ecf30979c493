using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Platform;

/// <summary>
/// Reads a platform file as text and then as a YAML node tree, turning every way it can be unreadable (missing, a
/// directory, binary, not UTF-8, huge, not YAML) into a <see cref="ConfigProblem"/> with the line and column the parser
/// stopped at. The typed readers then walk the tree with <see cref="YamlFields"/>, so a wrong shape is reported in
/// words ("should be a list, found a mapping"), never as a deserializer's type names.
/// </summary>
internal static class YamlFile
{
    /// <summary>The platform's files are a few kilobytes; anything this big is the wrong file, and is not read whole.</summary>
    public const long MaxBytes = 1024 * 1024;

    /// <summary>The file's text, or null with the reason added to <paramref name="problems"/>.</summary>
    public static string? ReadText(string path, List<ConfigProblem> problems, bool optional = false)
    {
        var file = System.IO.Path.GetFileName(path);
        if (Directory.Exists(path))
        {
            problems.Add(new(file, null, null, $"{path} is a directory; it should be a text file."));
            return null;
        }
        if (!File.Exists(path))
        {
            if (!optional) problems.Add(new(file, null, null, $"not found at {path}. Run the build from a clone of the repository."));
            return null;
        }
        byte[] bytes;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > MaxBytes)
            {
                problems.Add(new(file, null, null, $"is {length / 1024} KiB; the platform's files are a few KiB. Is this the right file? Restore it with `git checkout -- {file}`."));
                return null;
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new(file, null, null, $"cannot be read ({e.Message}). Check its permissions."));
            return null;
        }

        if (bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
        {
            problems.Add(new(file, null, null, "is saved as UTF-16; save it as UTF-8."));
            return null;
        }
        var zero = Array.IndexOf(bytes, (byte)0);
        if (zero >= 0)
        {
            problems.Add(new(file, LineOf(bytes, zero), null, "is a binary file (it contains a NUL byte), not text. Restore it with `git checkout -- " + file + "`."));
            return null;
        }
        var start = bytes is [0xEF, 0xBB, 0xBF, ..] ? 3 : 0; // a UTF-8 byte order mark, as some Windows editors write
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            var at = e.Index >= 0 ? start + e.Index : 0;
            problems.Add(new(file, LineOf(bytes, at), null, "is not UTF-8 text (it holds bytes no UTF-8 text has). Save it as UTF-8."));
            return null;
        }
    }

    static int LineOf(byte[] bytes, int index) => 1 + bytes.Take(Math.Min(index, bytes.Length)).Count(b => b == (byte)'\n');

    /// <summary>
    /// The file's single YAML document as a node tree, or null with the reasons added. An empty file is reported as
    /// missing what <paramref name="expected"/> describes.
    /// </summary>
    public static YamlNode? Read(string path, List<ConfigProblem> problems, string expected)
    {
        var text = ReadText(path, problems);
        return text is null ? null : Parse(text, System.IO.Path.GetFileName(path), problems, expected);
    }

    public static YamlNode? Parse(string text, string file, List<ConfigProblem> problems, string expected)
    {
        var stream = new YamlStream();
        try
        {
            // The node tree is built recursively, one call per level: thousands of levels would overflow the stack and
            // kill the build. The parser keeps an explicit stack, so the depth is counted on its events as the tree is
            // built, in the same single pass, and the load stops at the first level too deep.
            stream.Load(new DepthLimitedParser(new Parser(new StringReader(text)), MaxDepth));
        }
        catch (DepthLimitedParser.TooDeepException deep)
        {
            problems.Add(new(file, (int)deep.At.Line, (int)deep.At.Column, $"nests lists or mappings more than {MaxDepth} levels deep; the platform's files nest a few levels. Is this the right file?"));
            return null;
        }
        catch (YamlException e)
        {
            problems.Add(Describe(e, text, file));
            return null;
        }

        var documents = stream.Documents.Where(d => !IsEmpty(d.RootNode)).ToList();
        if (documents.Count == 0)
        {
            problems.Add(new(file, null, null, $"is empty; it should hold {expected}."));
            return null;
        }
        if (documents.Count > 1)
        {
            var second = documents[1].RootNode.Start;
            problems.Add(new(file, (int)second.Line, (int)second.Column, "holds more than one YAML document (separated by ---); the build reads one. Merge them into one document."));
            return null;
        }
        ResolveMergeKeys(documents[0].RootNode, new HashSet<YamlNode>(ReferenceEqualityComparer.Instance));
        return documents[0].RootNode;
    }

    /// <summary>
    /// Anchors and merge keys (`<<: *node`) are valid YAML that kind and helmfile accept, so the build reads them too: a
    /// mapping with `<<` gets the merged mapping's keys it does not write itself (its own keys win, and of several merged
    /// mappings the first wins), and loses the `<<`. Without this, a merged node reads as an unknown `<<` field and every
    /// merged field as missing. (YamlDotNet's MergingParser reports an overridden key as written twice.)
    /// </summary>
    static void ResolveMergeKeys(YamlNode node, HashSet<YamlNode> resolved)
    {
        if (!resolved.Add(node)) return;
        if (node is YamlSequenceNode sequence)
            foreach (var item in sequence.Children) ResolveMergeKeys(item, resolved);
        if (node is not YamlMappingNode mapping) return;
        foreach (var value in mapping.Children.Values.ToList()) ResolveMergeKeys(value, resolved);
        var mergeKey = mapping.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: "<<", Style: ScalarStyle.Plain });
        if (mergeKey is null) return;
        IEnumerable<YamlMappingNode> sources = mapping.Children[mergeKey] switch
        {
            YamlMappingNode one => [one],
            YamlSequenceNode several => several.Children.OfType<YamlMappingNode>(),
            _ => [],
        };
        if (!sources.Any()) return;   // `<<` of something else stays, and is reported as the unknown field it is
        mapping.Children.Remove(mergeKey);
        foreach (var source in sources.ToList())
        foreach (var (key, value) in source.Children)
            if (!mapping.Children.ContainsKey(key)) mapping.Children.Add(key, value);
    }

    const int MaxDepth = 100;

    /// <summary>A parser that stops with <see cref="TooDeepException"/> where the nesting first goes deeper than the limit.</summary>
    sealed class DepthLimitedParser(IParser parser, int maxDepth) : IParser
    {
        int _depth;

        public ParsingEvent? Current => parser.Current;

        public bool MoveNext()
        {
            if (!parser.MoveNext()) return false;
            if (parser.Current is MappingStart or SequenceStart && ++_depth > maxDepth) throw new TooDeepException(parser.Current.Start);
            if (parser.Current is MappingEnd or SequenceEnd) _depth--;
            return true;
        }

        /// <summary>Not a <see cref="YamlException"/>: the file is well-formed, only nested beyond what the build reads.</summary>
        public sealed class TooDeepException(Mark at) : Exception
        {
            public Mark At => at;
        }
    }

    static bool IsEmpty(YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };

    /// <summary>The parser's reason in plain words, at the place it concerns, with the usual culprit named when we can tell.</summary>
    static ConfigProblem Describe(YamlException e, string text, string file)
    {
        var reason = (e.InnerException as YamlException ?? e).Message;
        // YamlDotNet prefixes its messages with "(Line: 1, Col: 2, Idx: 3) - (Line: …): "; the location is ours to print.
        var marker = reason.LastIndexOf("): ", StringComparison.Ordinal);
        if (reason.StartsWith("(Line:", StringComparison.Ordinal) && marker >= 0) reason = reason[(marker + 3)..];
        reason = reason.Trim().TrimEnd('.');
        var (line, column) = ((int)e.Start.Line, (int)e.Start.Column);

        if (reason.StartsWith("Duplicate key", StringComparison.Ordinal))
            return new(file, line, column, $"the key '{reason["Duplicate key".Length..].Trim()}' is written twice in the same mapping; keep one.");

        // The parser reports a tab at the start of the block it was reading; point at the first line indented with one.
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var tabbed = Array.FindIndex(lines, Math.Clamp(line - 1, 0, lines.Length), IndentedWithTab);
        if (tabbed >= 0 && (reason.Contains("tab", StringComparison.OrdinalIgnoreCase) || tabbed == line - 1))
            return new(file, tabbed + 1, 1, $"is not valid YAML: {reason}; YAML indents with spaces, never tabs: replace the tabs at the start of this line with spaces.");
        return new(file, line, column, $"is not valid YAML: {reason}; check the indentation, and the ':' after each key, on this line and the one above.");
    }

    static bool IndentedWithTab(string line) => line.Length > 0 && line[..(line.Length - line.TrimStart(' ', '\t').Length)].Contains('\t');
}
