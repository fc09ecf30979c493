using System.Text.RegularExpressions;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Verification;

/// <summary>
/// The YAML and SQL are the source of truth: the build's C# reads the Gateway API channel, MinIO's buckets and the
/// sample tables from them (or from the cluster) and never writes them down itself. The names are read from the
/// files here too, so renaming a bucket or a table in the YAML/SQL keeps this test meaningful.
/// </summary>
public sealed partial class NoRestatedNamesTests
{
    public static TheoryData<string, string> DeclaredNamesWithTheirSource()
    {
        var data = new TheoryData<string, string> { { DeclaredNames.GatewayChannel(), "gateway-api.yaml (url)" } };
        foreach (var bucket in DeclaredNames.MinioBuckets()) data.Add(bucket, "values/minio.yaml.gotmpl (buckets)");
        foreach (var table in DeclaredNames.SampleTables()) data.Add(table, "values/sql/*.sql (CREATE TABLE)");
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
    public void No_build_source_writes_a_declared_name_as_a_string_literal(string name, string source)
    {
        // A literal that is exactly the name, or that contains it as a word (a path segment, a SQL table name, a
        // message): a word boundary keeps "registry" in "the registry's htpasswd" out only if it is not a literal.
        var word = new Regex($@"(?<![\w-]){Regex.Escape(name)}(?![\w-])");
        var offenders =
            from file in Directory.EnumerateFiles(RepoRoot.File("build"), "*.cs", SearchOption.AllDirectories)
            where !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
            from line in File.ReadLines(file).Select((text, index) => (Text: text, Number: index + 1))
            let code = line.Text.Split("//")[0]
            from literal in StringLiterals().Matches(code).Select(m => m.Value)
            where IsRestatement(literal, name, word)
            select $"{Path.GetRelativePath(RepoRoot.Path, file)}:{line.Number}: {line.Text.Trim()}";

        Assert.True(!offenders.Any(), $"'{name}' comes from {source}; read it from there (or from the cluster) instead of writing it in C#:\n" +
            string.Join('\n', offenders));
    }

    /// <summary>The name as a whole literal, or as a word in a literal that is not a sentence (a path, a URL, SQL).</summary>
    static bool IsRestatement(string literal, string name, Regex word)
    {
        var content = literal.TrimStart('$', '@').Trim('"');
        if (content == name) return true;
        if (!word.IsMatch(content)) return false;
        // Prose mentions a component by name ("the registry refuses anonymous clients"); data does not have spaces.
        return !content.Contains(' ');
    }

    [GeneratedRegex(@"[$@]*""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiterals();
}
