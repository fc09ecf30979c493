using System.Text;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Validation;

/// <summary>What a hostile but honest user's file system does to each platform file: empty, a directory, binary, huge, odd encodings.</summary>
public class OddInputTests
{
    public static TheoryData<string> YamlFiles => new(ValidationRoot.PlatformFiles.Where(f => f.EndsWith(".yaml")));
    public static TheoryData<string> AllFiles => new(ValidationRoot.PlatformFiles);

    static void AssertOneProblem(ValidationRoot root, string file, string excerpt, int? line = null)
    {
        var problems = root.Validate();
        var mine = problems.Where(p => p.File == file).ToList();
        Assert.True(mine.Count == 1, $"expected one problem in {file}, got:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
        Assert.Contains(excerpt, mine[0].Message);
        Assert.Equal(line, mine[0].Line);
        NoLeaks.Assert(problems, []);
    }

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void An_empty_file_says_what_it_should_hold(string file)
    {
        using var root = new ValidationRoot().Write(file, "");
        AssertOneProblem(root, file, "is empty; it should hold");
    }

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void A_file_of_comments_only_is_empty(string file)
    {
        using var root = new ValidationRoot().Write(file, "# nothing here yet\n\n");
        AssertOneProblem(root, file, "is empty");
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void A_directory_in_place_of_the_file_is_named(string file)
    {
        using var root = new ValidationRoot();
        File.Delete(root.File(file));
        Directory.CreateDirectory(root.File(file));
        var problems = root.Validate();
        Assert.Contains(problems, p => p.File == file && p.Message.Contains("is a directory; it should be a text file"));
        NoLeaks.Assert(problems, []);
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void A_binary_file_is_refused_with_the_line_of_its_first_NUL(string file)
    {
        using var root = new ValidationRoot().Write(file, [.. "kind: Cluster\n"u8, 0x00, 0xFF, 0x13]);
        AssertOneProblem(root, file, "is a binary file", line: 2);
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void A_ten_megabyte_file_is_refused_without_being_read(string file)
    {
        using var root = new ValidationRoot();
        using (var stream = File.Create(root.File(file)))
        {
            var line = "# padding padding padding padding padding padding padding padding padding padding\n"u8.ToArray();
            for (var written = 0; written < 10 * 1024 * 1024; written += line.Length) stream.Write(line);
        }
        AssertOneProblem(root, file, "the platform's files are a few KiB");
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void A_byte_order_mark_and_windows_line_endings_are_fine(string file)
    {
        using var root = new ValidationRoot();
        var text = File.ReadAllText(RepoRoot.File(file)).ReplaceLineEndings("\r\n");
        root.Write(file, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)]);
        Assert.Empty(root.Validate());
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void A_file_saved_as_UTF16_says_to_save_it_as_UTF8(string file)
    {
        using var root = new ValidationRoot();
        root.Write(file, [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(File.ReadAllText(RepoRoot.File(file)))]);
        AssertOneProblem(root, file, "save it as UTF-8");
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void Bytes_that_are_not_UTF8_are_located(string file)
    {
        using var root = new ValidationRoot().Write(file, [.. "# ok\n# ok\n# caf"u8, 0xE9, .. "\n"u8]);
        AssertOneProblem(root, file, "is not UTF-8 text", line: 3);
    }

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void A_missing_file_says_where_it_was_looked_for(string file)
    {
        using var root = new ValidationRoot();
        File.Delete(root.File(file));
        AssertOneProblem(root, file, $"not found at {root.File(file)}");
    }

    [Fact]
    public void A_deleted_env_file_is_no_problem_when_the_environment_supplies_every_variable()
    {
        using var root = new ValidationRoot();
        var dotEnv = Build.Platform.DotEnv.Load(root.File(".env"));
        File.Delete(root.File(".env"));
        Assert.Empty(root.Validate(key => dotEnv.GetValueOrDefault(key)));
    }

    [Fact]
    public void A_deleted_env_file_is_one_line_saying_how_to_restore_it_not_every_variable_it_held()
    {
        using var root = new ValidationRoot();
        File.Delete(root.File(".env"));
        var problem = Assert.Single(root.Validate());
        Assert.Equal(".env", problem.File);
        Assert.Contains(".env is missing: restore it with `git checkout .env`", problem.Message);
    }
}

public class DeepNestingTests
{
    [Theory]
    [InlineData("version: ", "[", "")]   // flow lists
    [InlineData("version: ", "{a: ", "")] // flow mappings
    [InlineData("", "- ", "x")]           // block lists on one line
    public void Deep_nesting_is_reported_not_a_stack_overflow(string prefix, string level, string suffix)
    {
        using var root = new ValidationRoot().Write("gateway-api.yaml", prefix + string.Concat(Enumerable.Repeat(level, 100_000)) + suffix + "\n");
        var problem = Assert.Single(root.Validate());
        Assert.Equal(("gateway-api.yaml", 1), (problem.File, problem.Line));
        Assert.Contains("nests lists or mappings more than 100 levels deep", problem.Message);
    }
}
