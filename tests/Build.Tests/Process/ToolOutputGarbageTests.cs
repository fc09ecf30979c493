using System.Text.RegularExpressions;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Host;
using DataPlatform.Build.ImageCache;
using DataPlatform.Build.KindCluster;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.Process;

/// <summary>
/// Every parser of a tool's output, fed what a proxy, a wrapper or a cut stream prints instead: each either reads it
/// as "nothing there" or stops with a message naming the command and what it printed, never a parser's exception
/// (which the build would show as a stack trace).
/// </summary>
public sealed partial class ToolOutputGarbageTests
{
    public static TheoryData<string> Garbage =>
    [
        "",
        "<html><head><title>Proxy login</title></head><body>Sign in</body></html>",
        "W1202 14:00:00.000000 1 warnings.go:70] a kubectl plugin warning\n{\"items\":[]}",
        "[{\"name\":\"traefik\",\"namespace\":",
        "{\"a JSON object\": \"where a list is expected\"}",
        "\u001b[31merror\u001b[0m",
    ];

    /// <summary>The parsers, each with the words its failure must contain to name the command that printed the output.</summary>
    static readonly (string Name, Func<string, object?> Parse, string Command)[] Parsers =
    [
        ("kubectl get nodes", output => LiveNode.Parse(output, "kubectl --context kind-x get nodes -o json"), "kubectl --context kind-x get nodes -o json"),
        ("docker ps of the mirrors", output => ImageCacheService.ParseContainers(output, "docker ps --all --format {{json .}}"), "docker ps --all"),
        ("helm list", output => HelmReleaseStatus.ParseList(output), "helm list"),
        ("helm history", output => HelmRevision.ParseList(output), "helm history"),
        ("docker info", output => DockerInfo.Parse(output), "docker info"),
        ("kind's node containers", output => NodeContainers.Parse(output), "docker ps"),
    ];

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var parser in Parsers)
        foreach (var garbage in Garbage)
            cases.Add(parser.Name, garbage);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Garbage_is_read_as_nothing_or_named_with_its_command_never_a_parser_exception(string parser, string output)
    {
        var (_, parse, command) = Parsers.Single(p => p.Name == parser);
        try
        {
            parse(output);
        }
        catch (Exception e) when (e is BuildFailure or FormatException)
        {
            Assert.Contains(command, e.Message);
            Assert.False(TypeName().IsMatch(e.Message), $"a .NET type name in: {e.Message}");
        }
    }

    [Fact]
    public void A_banner_before_kubectl_s_JSON_is_quoted_with_the_command()
    {
        var failure = Assert.Throws<BuildFailure>(() => LiveNode.Parse("Welcome to the corporate proxy\n{\"items\":[]}", "kubectl --context kind-x get nodes -o json"));
        Assert.Contains("`kubectl --context kind-x get nodes -o json` printed 'Welcome to the corporate proxy'", failure.Message);
        Assert.Empty(LiveNode.Parse("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[]}"));
    }

    [GeneratedRegex(@"\b(System|Microsoft|DataPlatform|k8s)\.[A-Z][A-Za-z]+|\b[A-Z][A-Za-z]*Exception\b")]
    private static partial Regex TypeName();
}
