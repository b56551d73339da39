using System.Runtime.Intrinsics;
using DevInterp.Numerics;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>
/// The first linear layer on k-hot rows as two managed loops over float32 memory, one chain per task: the forward pass
/// sums k rows of the layer's transposed matrix per sample, adds the bias and (for ReLU) clamps, in one pass; the
/// backward pass masks the error by the ReLU's output and adds it into the k rows and the bias, in one pass. With
/// torch operations the same took two gathers, four element-wise passes, a sign, and a sorted scatter-add
/// (<c>index_add_</c>) per step. Sums run in a fixed order (samples in order, within each chain), so results do not
/// depend on the thread count. Other dtypes and machines without 256-bit vectors use the torch operations.
/// </summary>
internal static unsafe class KHotKernels
{
    /// <summary>Whether the kernels run for tensors of this dtype.</summary>
    public static bool Supports(torch.ScalarType dtype) => dtype == torch.ScalarType.Float32 && Vector256.IsHardwareAccelerated;

    /// <summary>
    /// y[c, r, :] = act(Σ_j table[rows[j, c·R + r], :] + bias[c, :]) for act = identity or ReLU: [C, R, out], contiguous.
    /// </summary>
    /// <param name="table">[C·in, out] contiguous float32: the chains' transposed matrices stacked.</param>
    /// <param name="rows">[k, C·R] int64 contiguous: table rows (see <see cref="KHotBatch"/>).</param>
    /// <param name="bias">[C, out] float32 (any strides, rows contiguous), or null.</param>
    /// <param name="relu">Clamp at zero.</param>
    /// <param name="chains">C.</param>
    /// <param name="count">R.</param>
    public static torch.Tensor Gather(torch.Tensor table, torch.Tensor rows, torch.Tensor? bias, bool relu, long chains, long count)
    {
        long outputs = table.shape[1], k = rows.shape[0];
        var y = torch.empty([chains, count, outputs], dtype: torch.ScalarType.Float32);
        nint pt = (nint)TensorMemory.Float32(table), pr = (nint)TensorMemory.Int64(rows), py = (nint)TensorMemory.Float32(y);
        nint pb = bias is null ? 0 : (nint)TensorMemory.Float32(bias);
        long biasStride = bias?.stride(0) ?? 0;
        long rowStride = chains * count;
        ForChains(chains, c =>
        {
            float* b = pb == 0 ? null : (float*)pb + c * biasStride;
            for (long r = 0; r < count; r++)
            {
                long sample = c * count + r;
                float* dst = (float*)py + sample * outputs;
                long* index = (long*)pr + sample;
                int v = 0;
                for (; v + 8 <= outputs; v += 8)
                {
                    var sum = b is null ? Vector256<float>.Zero : Vector256.Load(b + v);
                    for (long j = 0; j < k; j++) sum += Vector256.Load((float*)pt + index[j * rowStride] * outputs + v);
                    if (relu) sum = Vector256.Max(sum, Vector256<float>.Zero);
                    sum.Store(dst + v);
                }
                for (; v < outputs; v++)
                {
                    float sum = b is null ? 0 : b[v];
                    for (long j = 0; j < k; j++) sum += ((float*)pt)[index[j * rowStride] * outputs + v];
                    dst[v] = relu ? MathF.Max(sum, 0) : sum;
                }
            }
        });
        return y;
    }

    /// <summary>
    /// The gradients of Σ ⟨g, y⟩ for <see cref="Gather"/>: table [C·in, out] (rows that no sample uses are zero) and,
    /// when <paramref name="withBias"/>, bias [C, out]. With <paramref name="mask"/> (the ReLU's output [C, R, out]),
    /// only entries where it is positive count.
    /// </summary>
    public static (torch.Tensor Table, torch.Tensor? Bias) Scatter(torch.Tensor g, torch.Tensor? mask, torch.Tensor rows,
        long chains, long count, long width, bool withBias)
    {
        long outputs = g.shape[2], k = rows.shape[0];
        var table = torch.zeros([chains * width, outputs], dtype: torch.ScalarType.Float32);
        var bias = withBias ? torch.zeros([chains, outputs], dtype: torch.ScalarType.Float32) : null;
        nint pg = (nint)TensorMemory.Float32(g), pm = mask is null ? 0 : (nint)TensorMemory.Float32(mask);
        nint pr = (nint)TensorMemory.Int64(rows), pt = (nint)TensorMemory.Float32(table), pb = bias is null ? 0 : (nint)TensorMemory.Float32(bias);
        long rowStride = chains * count;
        ForChains(chains, c =>
        {
            float* b = pb == 0 ? null : (float*)pb + c * outputs;
            for (long r = 0; r < count; r++)
            {
                long sample = c * count + r;
                float* error = (float*)pg + sample * outputs;
                float* m = pm == 0 ? null : (float*)pm + sample * outputs;
                long* index = (long*)pr + sample;
                int v = 0;
                for (; v + 8 <= outputs; v += 8)
                {
                    var e = Vector256.Load(error + v);
                    if (m is not null) e = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.Load(m + v), Vector256<float>.Zero), e, Vector256<float>.Zero);
                    for (long j = 0; j < k; j++)
                    {
                        float* t = (float*)pt + index[j * rowStride] * outputs + v;
                        (Vector256.Load(t) + e).Store(t);
                    }
                    if (b is not null) (Vector256.Load(b + v) + e).Store(b + v);
                }
                for (; v < outputs; v++)
                {
                    float e = m is not null && !(m[v] > 0) ? 0 : error[v];
                    for (long j = 0; j < k; j++) ((float*)pt)[index[j * rowStride] * outputs + v] += e;
                    if (b is not null) b[v] += e;
                }
            }
        });
        return (table, bias);
    }

    // One task per chain on up to torch's intra-op thread count (the .NET thread pool; nothing spins while idle).
    private static void ForChains(long chains, Action<long> body)
    {
        int threads = (int)Math.Min(torch.get_num_threads(), chains);
        if (threads <= 1)
        {
            for (long c = 0; c < chains; c++) body(c);
            return;
        }
        Parallel.For(0L, chains, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }
}
