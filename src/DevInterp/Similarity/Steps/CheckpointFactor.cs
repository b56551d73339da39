using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;

namespace DevInterp.Similarity.Steps;

/// <summary>
/// The statistic kept per checkpoint: the column-centered features reduced to a factor F (n × columns, row-major)
/// with F·Fᵀ = K, the centered Gram matrix (F = the centered features when d ≤ n, else Rᵀ of the QR decomposition of
/// their transpose, n × n), with diag K (squared row norms) and tr K.
/// </summary>
internal sealed record CheckpointFactor(long Step, double[] Values, int Samples, int Columns, double[] RowNorms, double Trace)
{
    /// <summary>Centers <paramref name="rowMajor"/> (n × d, taken over and modified in place) and reduces it.</summary>
    public static CheckpointFactor Create(long step, double[] rowMajor, int n, int d)
    {
        var means = new double[d];
        for (int i = 0; i < n; i++) AddTo(means, rowMajor.AsSpan(i * d, d));
        for (int j = 0; j < d; j++)
        {
            // A NaN or ±∞ anywhere in the column reaches its sum; only then look for the entry.
            if (!double.IsFinite(means[j])) ThrowNonFinite(step, rowMajor, n, d);
            means[j] /= n;
        }
        for (int i = 0; i < n; i++) SubtractFrom(rowMajor.AsSpan(i * d, d), means);
        var values = d <= n ? rowMajor : ReduceToSamples(rowMajor, n, d);
        int columns = Math.Min(n, d);
        var rowNorms = new double[n];
        double trace = 0;
        unsafe
        {
            fixed (double* v = values)
                for (int i = 0; i < n; i++)
                {
                    double* row = v + (long)i * columns;
                    rowNorms[i] = Numerics.DotProductKernel.Dot(row, row, columns);
                    trace += rowNorms[i];
                }
        }
        if (!(trace > 0))
            throw new ArgumentException($"features: step {step}: every sample has the same features (no variance), so CKA is undefined", "features");
        return new CheckpointFactor(step, values, n, columns, rowNorms, trace);
    }

    /// <summary>The n × d float64 tensor's values, row-major, as a new array.</summary>
    public static double[] ToArray(torch.Tensor contiguousFloat64)
    {
        var source = MemoryMarshal.Cast<byte, double>(contiguousFloat64.bytes);
        var result = GC.AllocateUninitializedArray<double>(source.Length); // every entry is overwritten next
        source.CopyTo(result);
        return result;
    }

    private static double[] ReduceToSamples(double[] centered, int n, int d)
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(centered, [n, d], torch.float64);
        return ToArray(Centering.GramFactor(t).contiguous());
    }

    /// <summary>sum += row, vectorized.</summary>
    private static void AddTo(Span<double> sum, ReadOnlySpan<double> row)
    {
        int j = 0;
        var vs = MemoryMarshal.Cast<double, Vector<double>>(sum);
        var vr = MemoryMarshal.Cast<double, Vector<double>>(row);
        for (int v = 0; v < vr.Length; v++) vs[v] += vr[v];
        j = vr.Length * Vector<double>.Count;
        for (; j < row.Length; j++) sum[j] += row[j];
    }

    /// <summary>row −= means, vectorized.</summary>
    private static void SubtractFrom(Span<double> row, ReadOnlySpan<double> means)
    {
        var vr = MemoryMarshal.Cast<double, Vector<double>>(row);
        var vm = MemoryMarshal.Cast<double, Vector<double>>(means);
        for (int v = 0; v < vr.Length; v++) vr[v] -= vm[v];
        for (int j = vr.Length * Vector<double>.Count; j < row.Length; j++) row[j] -= means[j];
    }

    private static void ThrowNonFinite(long step, double[] values, int n, int d)
    {
        int index = Array.FindIndex(values, v => !double.IsFinite(v));
        throw new ArgumentException(
            $"features: step {step}: entry ({index / d}, {index % d}) is {values[index]}; expected finite values", "features");
    }
}
