namespace DevInterp.Storage;

/// <summary>The points of an <see cref="AtomicFile"/> write that <see cref="AtomicWriteSteps"/> reports.</summary>
internal enum AtomicWriteStep
{
    /// <summary>Some bytes are in the temporary file (on disk), the rest not yet written.</summary>
    Partial,

    /// <summary>The temporary file is complete and on disk; the target is not replaced yet.</summary>
    Written,

    /// <summary>The temporary file has been renamed over the target.</summary>
    Replaced,
}

/// <summary>
/// A seam for tests: called at each step of an atomic write (<see cref="AtomicWriteStep"/>) with the target's full path,
/// so a kill-and-resume test can stop a process at a known point inside a write (mid-way through a consolidated
/// table, between the temporary file and its rename) and kill it there, instead of guessing with a delay. It applies to
/// the calling flow only (an <see cref="AsyncLocal{T}"/>); nothing is reported when no test has set it.
/// </summary>
internal static class AtomicWriteSteps
{
    private static readonly AsyncLocal<Action<string, AtomicWriteStep>?> Hook = new();

    /// <summary>The hook of the calling flow, or null.</summary>
    public static Action<string, AtomicWriteStep>? Current => Hook.Value;

    /// <summary>Calls <paramref name="reached"/> at each step of every atomic write of this flow, until disposed.</summary>
    public static IDisposable Observe(Action<string, AtomicWriteStep> reached)
    {
        var before = Hook.Value;
        Hook.Value = reached;
        return new Restore(before);
    }

    /// <summary>
    /// <paramref name="inner"/> as the writer of a write sees it, reporting <see cref="AtomicWriteStep.Partial"/> once,
    /// when the first half of its first write has reached the file.
    /// </summary>
    public static Stream Partial(Stream inner, Action reached) => new FirstBytesStream(inner, reached);

    private sealed class Restore(Action<string, AtomicWriteStep>? before) : IDisposable
    {
        public void Dispose() => Hook.Value = before;
    }

    private sealed class FirstBytesStream(Stream inner, Action reached) : Stream
    {
        private bool _reported;

        public override bool CanRead => false;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => true;
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        // The first write is split in two around the report, so the temporary file really holds part of the content
        // (a whole file written in one call would otherwise never be seen half-written).
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_reported || buffer.IsEmpty)
            {
                inner.Write(buffer);
                return;
            }
            int half = Math.Max(1, buffer.Length / 2);
            inner.Write(buffer[..half]);
            inner.Flush();
            _reported = true;
            reached();
            inner.Write(buffer[half..]);
        }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => inner.SetLength(value);
    }
}
