using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DevInterp.Cli;

/// <summary>The JSON conventions of every <c>--json</c> output: snake_case names, indented, nulls omitted.</summary>
public static class JsonOutput
{
    /// <summary>Serializer options shared by all commands.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        // Explicit resolver: file-based apps (dotnet run app.cs) turn reflection-based serialization off by default.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes a value as JSON followed by a newline.</summary>
    public static void Write<T>(TextWriter writer, T value) => writer.WriteLine(JsonSerializer.Serialize(value, Options));
}
