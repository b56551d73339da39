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

    /// <summary>
    /// Writes a value as JSON followed by a newline, streamed to the writer (the listing of a checkpoint with a million
    /// tensors is never held as one string).
    /// </summary>
    public static void Write<T>(TextWriter writer, T value)
    {
        using (var stream = new TextWriterStream(writer)) JsonSerializer.Serialize(stream, value, Options);
        writer.WriteLine();
    }

    // UTF-8 bytes from the serializer, decoded onto a TextWriter piece by piece.
    private sealed class TextWriterStream(TextWriter writer) : Stream
    {
        private readonly System.Text.Decoder _decoder = new System.Text.UTF8Encoding(false).GetDecoder();
        private char[] _chars = new char[4096];

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => writer.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int needed = _decoder.GetCharCount(buffer, flush: false);
            if (needed > _chars.Length) _chars = new char[needed];
            int n = _decoder.GetChars(buffer, _chars, flush: false);
            writer.Write(_chars, 0, n);
        }
    }
}
