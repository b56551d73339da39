using System.Numerics;
using System.Runtime.InteropServices;

namespace DevInterp.Checkpoints;

/// <summary>What <c>devinterp inspect</c> reports for one tensor.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Shape.</param>
/// <param name="ElementCount">Number of elements.</param>
/// <param name="Norm">Frobenius (L2) norm over the finite values, in float64; null when the dtype cannot be read.</param>
/// <param name="NaNCount">Number of NaN values.</param>
/// <param name="InfCount">Number of +Inf or −Inf values.</param>
/// <param name="Error">Why the values could not be read, when they could not.</param>
public sealed record TensorSummary(string Name, TensorDType DType, IReadOnlyList<long> Shape, long ElementCount,
    double? Norm, long NaNCount, long InfCount, string? Error = null)
{
    /// <summary>True when every value is finite.</summary>
    public bool AllFinite => NaNCount == 0 && InfCount == 0;
}

/// <summary>Per-tensor summary of a whole checkpoint (read one tensor at a time).</summary>
/// <param name="Path">The file.</param>
/// <param name="Format">Its format.</param>
/// <param name="Tensors">Each tensor's summary, in file order.</param>
/// <param name="Metadata">The checkpoint's metadata scalars.</param>
public sealed record CheckpointSummary(string Path, CheckpointFormat Format, IReadOnlyList<TensorSummary> Tensors,
    IReadOnlyDictionary<string, MetadataValue> Metadata)
{
    /// <summary>Total number of parameters (elements of all tensors).</summary>
    public long ElementCount => Tensors.Sum(t => t.ElementCount);

    /// <summary>Tensors holding NaN or Inf values.</summary>
    public IEnumerable<TensorSummary> NonFinite => Tensors.Where(t => !t.AllFinite);

    /// <summary>
    /// Reads every tensor once, a piece at a time (memory stays at one piece whatever the tensor's size), and summarises
    /// it. Names that are the same view of the same storage (tied weights) are read once.
    /// </summary>
    public static CheckpointSummary Of(ICheckpointReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var tensors = new List<TensorSummary>(reader.Tensors.Count);
        var byView = new Dictionary<string, TensorSummary>(StringComparer.Ordinal);
        var views = reader as PyTorch.PyTorchCheckpoint;
        foreach (var info in reader.Tensors)
        {
            if (!info.DType.IsSupported())
            {
                tensors.Add(new TensorSummary(info.Name, info.DType, info.Shape, info.ElementCount, null, 0, 0,
                    $"dtype {info.DType.SafetensorsCode()} is not readable"));
                continue;
            }
            string? view = views?.ViewKey(info.Name);
            if (view is not null && byView.TryGetValue(view, out var same))
            {
                tensors.Add(same with { Name = info.Name });
                continue;
            }
            var totals = new Totals();
            double[]? converted = null;
            reader.ForEachRawPiece(info.Name, raw =>
            {
                switch (info.DType)
                {
                    case TensorDType.Float32:
                        totals.Add(MemoryMarshal.Cast<byte, float>(raw));
                        break;
                    case TensorDType.Float64:
                        totals.Add(MemoryMarshal.Cast<byte, double>(raw));
                        break;
                    default:
                        int count = raw.Length / info.DType.ByteSize();
                        converted ??= new double[count];
                        CheckpointReaderExtensions.ConvertToDoubles(info.DType, raw, converted.AsSpan(0, count));
                        totals.Add(converted.AsSpan(0, count));
                        break;
                }
            });
            var summary = new TensorSummary(info.Name, info.DType, info.Shape, info.ElementCount, Math.Sqrt(totals.SumOfSquares), totals.NaN, totals.Inf);
            tensors.Add(summary);
            if (view is not null) byView[view] = summary;
        }
        return new CheckpointSummary(reader.Path, reader.Format, tensors, reader.Metadata);
    }

    // Sum of squares over the finite values and counts of the others, in float64, with one loop per element type
    // (a 1.6 GB tensor is 400 million values).
    private sealed class Totals
    {
        public double SumOfSquares;
        public long NaN;
        public long Inf;

        // Blocks of this many values are summed with SIMD while all are finite; a block holding NaN or Inf is summed
        // again one value at a time (rare), so the common case runs at memory speed.
        private const int Block = 4096;

        public void Add(ReadOnlySpan<float> values)
        {
            for (int start = 0; start < values.Length; start += Block)
            {
                var block = values.Slice(start, Math.Min(Block, values.Length - start));
                if (TryAddFinite(block)) continue;
                double sum = 0;
                foreach (float v in block)
                {
                    if (float.IsFinite(v)) sum += (double)v * v;
                    else if (float.IsNaN(v)) NaN++;
                    else Inf++;
                }
                SumOfSquares += sum;
            }
        }

        // Adds the block's sum of squares (in float64) when every value is finite; false, adding nothing, otherwise.
        private bool TryAddFinite(ReadOnlySpan<float> block)
        {
            int width = Vector<float>.Count;
            int whole = Vector.IsHardwareAccelerated ? block.Length - block.Length % width : 0;
            var bad = Vector<float>.Zero; // v − v is 0 for a finite v and NaN for NaN or ±Inf
            var low = Vector<double>.Zero;
            var high = Vector<double>.Zero;
            for (int i = 0; i < whole; i += width)
            {
                var v = new Vector<float>(block.Slice(i, width));
                bad += v - v;
                Vector.Widen(v, out var lo, out var hi);
                low += lo * lo;
                high += hi * hi;
            }
            double sum = Vector.Sum(low + high);
            for (int i = whole; i < block.Length; i++)
            {
                float v = block[i];
                if (!float.IsFinite(v)) return false;
                sum += (double)v * v;
            }
            if (whole > 0 && !float.IsFinite(Vector.Sum(bad))) return false;
            SumOfSquares += sum;
            return true;
        }

        public void Add(ReadOnlySpan<double> values)
        {
            double sum = 0;
            foreach (double v in values)
            {
                if (double.IsFinite(v)) sum += v * v;
                else if (double.IsNaN(v)) NaN++;
                else Inf++;
            }
            SumOfSquares += sum;
        }
    }
}
