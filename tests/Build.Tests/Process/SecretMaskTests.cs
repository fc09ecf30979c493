using System.Text;
using System.Text.Json;
using DataPlatform.Build.Process;
using Spectre.Console.Testing;

namespace DataPlatform.Build.Tests.Process;

/// <summary>A secret never reaches the screen, whatever form the tool that echoes it chose.</summary>
public sealed class SecretMaskTests
{
    const string Awkward = "p@ss\"w\\rd/&<x> é";

    [Theory]
    [InlineData("hunter22")]
    [InlineData(Awkward)]
    [InlineData("a:b@c%d+e f")]
    public void Every_encoding_a_tool_may_echo_is_masked(string secret)
    {
        var mask = new SecretMask(() => [secret]);
        var bytes = Encoding.UTF8.GetBytes(secret);
        string[] forms =
        [
            secret,
            JsonSerializer.Serialize(secret)[1..^1],                                      // \" \\ and \u0026 as .NET escapes them
            JsonSerializer.Serialize(secret, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })[1..^1],
            JsonSerializer.Serialize(JsonSerializer.Serialize(secret))[1..^1],              // JSON inside JSON
            Uri.EscapeDataString(secret),
            LowerHex(Uri.EscapeDataString(secret)),                                          // some encoders write lower-case hex
            System.Net.WebUtility.UrlEncode(secret),                                        // + for a space
            Convert.ToBase64String(bytes),
            Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
        ];

        foreach (var form in forms)
        {
            var shown = mask.Apply($"value: \"{form}\" end");
            Assert.DoesNotContain(form, shown);
            Assert.Contains("***", shown);
            Assert.StartsWith("value: \"", shown);
            Assert.EndsWith("\" end", shown);
        }
    }

    [Theory]
    [InlineData("registry:", "")]            // docker config auth = base64("user:password")
    [InlineData("ab:", "")]
    [InlineData("x", ":trailing")]
    [InlineData("", "\n")]
    public void A_secret_inside_a_longer_base64_value_is_masked_at_every_alignment(string before, string after)
    {
        const string secret = "registrypassword";
        var blob = Convert.ToBase64String(Encoding.UTF8.GetBytes(before + secret + after));

        var shown = new SecretMask(() => [secret]).Apply($"auth: {blob}");

        Assert.Contains("***", shown);
        // None of the secret's base64 renderings is left, at any alignment.
        for (var offset = 0; offset < 3; offset++)
            Assert.DoesNotContain(SecretMask.AlignedBase64(Encoding.UTF8.GetBytes(secret), offset), shown);
        Assert.Contains("registrypassword", Encoding.UTF8.GetString(Convert.FromBase64String(blob)));   // the case is real
    }

    /// <summary>
    /// A 1–3 character secret is masked where it stands alone as a value (after "=", between quotes, on its own), and
    /// left alone inside longer words: masking every "ab" would blank out "table", "about"... in all output.
    /// </summary>
    [Fact]
    public void A_short_secret_is_masked_as_a_whole_value_but_not_inside_words()
    {
        var mask = new SecretMask(() => ["ab", "7"]);

        Assert.Equal("password=*** user=\"***\" port=*** table about 17 abc", mask.Apply("password=ab user=\"ab\" port=7 table about 17 abc"));
        Assert.Equal("data: ***", mask.Apply("data: YWI="));     // base64 of "ab", as a Kubernetes Secret shows it
        Assert.Equal("token ***.", mask.Apply("token %61%62."));
    }

    [Fact]
    public void Blank_secrets_hide_nothing_and_change_nothing()
    {
        var mask = new SecretMask(() => ["", " ", "\t"]);
        Assert.Equal("a b\tc", mask.Apply("a b\tc"));
    }

    [Fact]
    public async Task The_runner_masks_streamed_lines_the_failure_its_command_and_its_stderr()
    {
        const string secret = "s3cr\"t";
        var console = new TestConsole().Width(1000);
        var runner = new CliToolRunner(console, new SecretMask(() => [secret]), echoQueries: true);
        var escaped = JsonSerializer.Serialize(secret)[1..^1];
        var command = new ToolCommand("sh", ["-c", $"printf '%s\\n' '{{\"password\":\"{escaped}\"}}'; echo \"$0\" >&2; exit 4", secret]) { Streamed = true };

        var error = await Assert.ThrowsAsync<ToolFailedException>(() => runner.RunAsync(command));

        var shown = console.Output + Failures.Describe(error) + error.Command.Display + error.Result.StandardOutput + error.Result.StandardError;
        Assert.DoesNotContain(secret, shown);
        Assert.DoesNotContain(escaped, shown);
        Assert.Contains("{\"password\":\"***\"}", console.Output);
        Assert.Empty(error.Command.Environment);
    }

    static string LowerHex(string encoded) =>
        System.Text.RegularExpressions.Regex.Replace(encoded, "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant());
}
