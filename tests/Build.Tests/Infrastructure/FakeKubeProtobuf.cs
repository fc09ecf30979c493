using System.Text;
using System.Text.Json.Nodes;

namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>
/// helm writes its release Secrets through client-go's typed clientset, which sends protobuf
/// (application/vnd.kubernetes.protobuf) for built-in types; it reads JSON answers fine. This reads the one body helm
/// sends that matters, a Secret, into JSON. Layout from kubernetes/kubernetes:
/// staging/src/k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go (the "k8s\0" prefix, then a
/// runtime.Unknown: typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2), staging/src/k8s.io/api/core/v1/generated.proto
/// (Secret: metadata = 1, data = 2 map&lt;string, bytes&gt;, type = 3, stringData = 4, immutable = 5) and
/// staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto (ObjectMeta: name = 1, generateName = 2,
/// namespace = 3, uid = 5, resourceVersion = 6, generation = 7, labels = 11, annotations = 12, finalizers = 14).
/// Other kinds in protobuf are answered 415: none of the tools here sends one the tests need.
/// </summary>
public static class FakeKubeProtobuf
{
    public const string ContentType = "application/vnd.kubernetes.protobuf";
    static readonly byte[] Magic = [(byte)'k', (byte)'8', (byte)'s', 0];

    /// <summary>The body as JSON when it is a protobuf Secret; null for anything else (or a body that is not protobuf).</summary>
    public static JsonObject? ReadSecret(byte[] body)
    {
        if (body.Length < Magic.Length || !body.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return null;
        string? apiVersion = null, kind = null;
        byte[]? raw = null;
        foreach (var (field, value) in Fields(body[Magic.Length..]))
        {
            if (field == 1)
                foreach (var (typeField, typeValue) in Fields(value))
                {
                    if (typeField == 1) apiVersion = Text(typeValue);
                    if (typeField == 2) kind = Text(typeValue);
                }
            if (field == 2) raw = value;
        }
        if (apiVersion != "v1" || kind != "Secret" || raw is null) return null;

        var secret = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret" };
        var data = new JsonObject();
        foreach (var (field, value) in Fields(raw))
        {
            switch (field)
            {
                case 1: secret["metadata"] = ObjectMeta(value); break;
                case 2: var (key, bytes) = MapEntry(value); data[Text(key)] = Convert.ToBase64String(bytes); break;
                case 3: secret["type"] = Text(value); break;
                case 4: var (plainKey, plain) = MapEntry(value); data[Text(plainKey)] = Convert.ToBase64String(plain); break;
            }
        }
        secret["data"] = data;
        return secret;
    }

    static JsonObject ObjectMeta(byte[] message)
    {
        var metadata = new JsonObject();
        var labels = new JsonObject();
        var annotations = new JsonObject();
        var finalizers = new JsonArray();
        foreach (var (field, value) in Fields(message))
        {
            switch (field)
            {
                case 1: metadata["name"] = Text(value); break;
                case 2: metadata["generateName"] = Text(value); break;
                case 3: metadata["namespace"] = Text(value); break;
                case 5: metadata["uid"] = Text(value); break;
                case 6: metadata["resourceVersion"] = Text(value); break;
                case 11: var (lk, lv) = MapEntry(value); labels[Text(lk)] = Text(lv); break;
                case 12: var (ak, av) = MapEntry(value); annotations[Text(ak)] = Text(av); break;
                case 14: finalizers.Add(Text(value)); break;
            }
        }
        if (labels.Count > 0) metadata["labels"] = labels;
        if (annotations.Count > 0) metadata["annotations"] = annotations;
        if (finalizers.Count > 0) metadata["finalizers"] = finalizers;
        // An empty resourceVersion is "unset" (protobuf has no null): drop it, so an update is not a conflict.
        if (metadata["resourceVersion"]?.GetValue<string>() is "") metadata.Remove("resourceVersion");
        return metadata;
    }

    /// <summary>A map entry: key = 1, value = 2.</summary>
    static (byte[] Key, byte[] Value) MapEntry(byte[] entry)
    {
        byte[] key = [], value = [];
        foreach (var (field, bytes) in Fields(entry))
        {
            if (field == 1) key = bytes;
            if (field == 2) value = bytes;
        }
        return (key, value);
    }

    /// <summary>The length-delimited fields of a message (varint and fixed-width ones are skipped: none is read here).</summary>
    static IEnumerable<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var at = 0;
        while (at < message.Length)
        {
            var tag = Varint(message, ref at);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0: Varint(message, ref at); break;
                case 1: at += 8; break;
                case 5: at += 4; break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    yield return (field, message[at..(at + length)]);
                    at += length;
                    break;
                default: throw new FormatException($"protobuf wire type {tag & 7} at byte {at}");
            }
        }
    }

    static ulong Varint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }

    static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
