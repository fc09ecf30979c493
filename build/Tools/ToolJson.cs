using System.Text.Json.Serialization;

namespace DataPlatform.Build.Tools;

/// <summary>
/// The JSON the build reads from its tools and its version cache, with serializers generated at compile time: every
/// run reads helm's list and .tools/versions.json, and reflection-based System.Text.Json spent about 40-60 ms of a warm
/// Up's start on each first use (reflection over the types, then JIT of its generic code), where generated code is
/// precompiled with the host.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(List<HelmReleaseStatus>))]
[JsonSerializable(typeof(List<HelmRevision>))]
[JsonSerializable(typeof(Dictionary<string, ToolVersionCache.Entry>))]
internal sealed partial class ToolJson : JsonSerializerContext;
