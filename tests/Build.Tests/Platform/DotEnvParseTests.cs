using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Tests.Platform;

public class DotEnvParseTests
{
    [Fact]
    public void Reads_the_forms_people_write_in_dotenv_files()
    {
        var values = DotEnv.Parse("""
            # a comment line

            GLOBAL_DOMAIN=data-platform.internal
            export MINIO_ACCESS_KEY=adminuser
            MINIO_SECRET_KEY="admin password"   # trailing comment
            SINGLE='literal $HOME \n'
            ESCAPED="line1\nline2 \"quoted\""
            INLINE=value # comment
            EMPTY=
              SPACED = padded
            """, ".env");

        Assert.Equal("data-platform.internal", values["GLOBAL_DOMAIN"]);
        Assert.Equal("adminuser", values["MINIO_ACCESS_KEY"]);
        Assert.Equal("admin password", values["MINIO_SECRET_KEY"]);
        Assert.Equal("literal $HOME \\n", values["SINGLE"]);
        Assert.Equal("line1\nline2 \"quoted\"", values["ESCAPED"]);
        Assert.Equal("value", values["INLINE"]);
        Assert.Equal("", values["EMPTY"]);
        Assert.Equal("padded", values["SPACED"]);
        Assert.Equal(8, values.Count);
    }

    [Fact]
    public void Later_assignments_win() =>
        Assert.Equal("b", DotEnv.Parse("K=a\nK=b\n", ".env")["K"]);

    [Theory]
    [InlineData("GOOD=1\nthis is not an assignment\n", ".env:2: this line is not KEY=value")]
    [InlineData("GOOD=1\n\n# c\n1BAD=x\n", ".env:4: '1BAD' is not a variable name")]
    [InlineData("K=\"never closed\n", ".env:1: K opens a \" quote that is never closed")]
    [InlineData("K='a' trailing\n", ".env:1: K has text after its closing ' quote")]
    [InlineData("MINIO_SECRET_KEY: value\n", ".env:1: MINIO_SECRET_KEY is written with ':'")]
    public void Bad_lines_are_reported_with_their_line_number(string text, string expected)
    {
        var error = Assert.Throws<ConfigFileException>(() => DotEnv.Parse(text, "/repo/.env"));
        Assert.StartsWith(expected, error.Message);
    }

    [Theory]
    [InlineData("MINIO_SECRET_KEY: hunter2hunter2\n")]
    [InlineData("REGISTRY_PASSWORD=\"hunter2hunter2\n")]
    [InlineData("REGISTRY_PASSWORD='ok' hunter2hunter2\n")]
    [InlineData("hunter2hunter2\n")]
    [InlineData("export hunter2hunter2 x\n")]
    public void A_bad_line_is_never_echoed_so_a_secret_on_it_stays_hidden(string text)
    {
        var error = Assert.Throws<ConfigFileException>(() => DotEnv.Parse(text, "/repo/.env"));
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Fact]
    public void Every_bad_line_is_reported_at_once()
    {
        var error = Assert.Throws<ConfigFileException>(() => DotEnv.Parse("A: 1\nGOOD=1\nB c\n'x'\n", "/repo/.env"));
        Assert.Equal([".env:1", ".env:3", ".env:4"], error.Message.Split(Environment.NewLine).Select(l => string.Join(':', l.Split(':').Take(2))));
    }

    [Fact]
    public void Process_environment_wins_over_env_and_env_local_over_env()
    {
        var root = Directory.CreateTempSubdirectory().FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, ".env"), "A=from-env\nB=from-env\nC=from-env\nREGISTRY_PASSWORD=s3cret\n");
            File.WriteAllText(Path.Combine(root, ".env.local"), "B=from-local\n");
            var variables = PlatformEnvironment.Load(root, key => key == "C" ? "from-process" : null);

            Assert.Equal("from-env", variables.Find("A"));
            Assert.Equal("from-local", variables.Find("B"));
            Assert.Equal("from-process", variables.Find("C"));
            Assert.Equal(["s3cret"], variables.SecretValues);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void The_registry_htpasswd_line_is_bcrypt_and_stable_between_runs()
    {
        var line = Htpasswd.Line("registry", "registrypassword");
        Assert.StartsWith("registry:$2y$05$", line); // htpasswd -B's default cost, as the seed's `htpasswd -Bbn` line has
        Assert.True(BCrypt.Net.BCrypt.Verify("registrypassword", line["registry:".Length..]));
        Assert.Equal(line, Htpasswd.Line("registry", "registrypassword")); // stable, so helmfile sees no change
        Assert.NotEqual(line, Htpasswd.Line("registry", "otherpassword"));
    }
}
