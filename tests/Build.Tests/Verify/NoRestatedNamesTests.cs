using System.Text.RegularExpressions;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>
/// The YAML and SQL are the source of truth: the build's C# reads the Gateway API channel, MinIO's buckets and the
/// sample tables from them (or from the cluster) and never writes them down itself. The names are read from the
/// files here too, so renaming a bucket or a table in the YAML/SQL keeps this test meaningful.
/// </summary>
public sealed partial class NoRestatedNamesTests
{
    /// <summary>
    /// name, where it is declared, and whether prose may use it: "registry" is a bucket and also the component that
    /// uses it, so a message may speak of "the registry"; no message has a reason to say "experimental" or "station".
    /// </summary>
    public static TheoryData<string, string, bool> DeclaredNamesWithTheirSource()
    {
        var data = new TheoryData<string, string, bool> { { DeclaredNames.GatewayChannel(), "gateway-api.yaml (url)", false } };
        foreach (var bucket in DeclaredNames.MinioBuckets()) data.Add(bucket, "values/minio.yaml.gotmpl (buckets)", true);
        foreach (var table in DeclaredNames.SampleTables()) data.Add(table, "values/sql/*.sql (CREATE TABLE)", false);
        return data;
    }

    [Fact]
    public void The_files_declare_the_names_this_test_looks_for()
    {
        // Without this, a parsing slip here would make the scan below pass vacuously.
        Assert.NotEmpty(DeclaredNames.GatewayChannel());
        Assert.NotEmpty(DeclaredNames.MinioBuckets());
        Assert.NotEmpty(DeclaredNames.SampleTables());
    }

    [Theory]
    [MemberData(nameof(DeclaredNamesWithTheirSource))]
    public void No_build_source_writes_a_declared_name_as_a_string_literal(string name, string source, bool proseMayNameIt)
    {
        // Any literal holding the name as a word: "bronze", "s3://bronze/x", "SELECT count(*) FROM station".
        var word = new Regex($@"(?<![\w-]){Regex.Escape(name)}(?![\w-])");
        var offenders =
            from file in Directory.EnumerateFiles(RepoRoot.File("build"), "*.cs", SearchOption.AllDirectories)
            where !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
            from line in File.ReadLines(file).Select((text, index) => (Text: text, Number: index + 1))
            from literal in LiteralsBeforeComment(line.Text)
            where IsRestatement(literal, name, word, proseMayNameIt)
            select $"{Path.GetRelativePath(RepoRoot.Path, file)}:{line.Number}: {line.Text.Trim()}";

        Assert.True(!offenders.Any(), $"'{name}' comes from {source}; read it from there (or from the cluster) instead of writing it in C#:\n" +
            string.Join('\n', offenders));
    }

    /// <summary>The name as a word in a literal: alone, in a path or URL, in SQL, or (unless prose may name it) in a message.</summary>
    static bool IsRestatement(string literal, string name, Regex word, bool proseMayNameIt)
    {
        var content = literal.TrimStart('$', '@').Trim('"');
        if (!word.IsMatch(content)) return false;
        // A name that is also a word of the product (the registry bucket, the registry component and its image) may appear
        // in other roles: only the literal name itself, or the name in a data position, restates it.
        if (!proseMayNameIt || content == name) return true;
        // A sentence may name the component; data in a sentence may not: s3://<bucket>, arn:aws:s3:::<bucket>, SQL.
        return Regex.IsMatch(content, $@"(s3://|arn:aws:s3:::|\b(FROM|INTO|TABLE|BUCKET)\s+""?){Regex.Escape(name)}\b", RegexOptions.IgnoreCase);
    }

    /// <summary>The string literals of a line of code, up to a // comment (a "//" inside a literal, as in s3://, is not one).</summary>
    static IEnumerable<string> LiteralsBeforeComment(string line)
    {
        var literals = StringLiterals().Matches(line);
        var blanked = StringLiterals().Replace(line, m => new string('_', m.Length));
        var comment = blanked.IndexOf("//", StringComparison.Ordinal);
        return literals.Where(m => comment < 0 || m.Index < comment).Select(m => m.Value);
    }

    [GeneratedRegex(@"[$@]*""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiterals();
}
