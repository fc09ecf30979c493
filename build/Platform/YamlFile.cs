using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DataPlatform.Build.Platform;

/// <summary>Reads only the fields we model from a YAML file; the file itself goes to the tools unchanged.</summary>
static class YamlFile
{
    static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    public static T Read<T>(string path) where T : class
    {
        if (!File.Exists(path)) throw new ConfigFileException(path, $"not found at {path}. Run the build from a clone of the repository.");
        try
        {
            return Deserializer.Deserialize<T>(File.ReadAllText(path))
                ?? throw new ConfigFileException(path, "is empty.");
        }
        catch (YamlException e)
        {
            throw new ConfigFileException(path, $"is not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
        }
    }
}
