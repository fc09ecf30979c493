using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Tests.Unit;

public class DotEnvTests
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
    [InlineData("GOOD=1\nthis is not an assignment\n", "line 2")]
    [InlineData("GOOD=1\n\n# c\n1BAD=x\n", "line 4")]
    [InlineData("K=\"never closed\n", "line 1")]
    [InlineData("K='a' trailing\n", "line 1")]
    public void Bad_lines_are_reported_with_their_line_number(string text, string where)
    {
        var error = Assert.Throws<ConfigFileException>(() => DotEnv.Parse(text, "/repo/.env"));
        Assert.Contains(where, error.Message);
        Assert.StartsWith(".env:", error.Message);
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
        Assert.StartsWith("registry:$2y$10$", line);
        Assert.True(BCrypt.Net.BCrypt.Verify("registrypassword", line["registry:".Length..]));
        Assert.Equal(line, Htpasswd.Line("registry", "registrypassword")); // stable, so helmfile sees no change
        Assert.NotEqual(line, Htpasswd.Line("registry", "otherpassword"));
    }
}
