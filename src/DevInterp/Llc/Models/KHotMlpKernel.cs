using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DevInterp.Numerics;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>
/// The loss and gradient of a one-hidden-layer MLP on k-hot inputs with a cross-entropy loss over at most 32 classes
/// (the modular-arithmetic grokking model), all layers fused in one managed float32 pass per chain. Rows go through in
/// blocks of 8: the block's hidden activations (k gathered rows of W1ᵀ plus the bias, through the activation), its
/// logits (a register-blocked product with W2ᵀ padded to 32 columns), the softmax and loss, then the backward pass
/// (W2's gradient accumulated from the block, the hidden error G·W2 masked by the activation's derivative and
/// scatter-added into W1ᵀ's k rows and the bias). Nothing of the size of the batch is written to memory except the
/// activations when they come from torch. libtorch ran the same as three small batched products (MKL's generic path
/// spends a third of its time packing 31-wide operands), a log-softmax and a dozen element-wise passes.
/// </summary>
/// <remarks>
/// Sums run in a fixed order (rows in order, within each chain), so results do not depend on the thread count; they
/// differ from the torch path's only by float rounding (a different summation order, the loss averaged in float64).
/// Chains run as tasks on up to torch's intra-op thread count.
/// </remarks>
internal static unsafe class KHotMlpKernel
{
    /// <summary>Rows per block.</summary>
    private const int Block = 8;

    /// <summary>Classes are padded to this many (two 512-bit vectors).</summary>
    public const int MaxClasses = 32;

    /// <summary>Whether the kernel runs for a model of this shape and dtype on this machine.</summary>
    public static bool Supports(torch.ScalarType dtype, long hidden, long classes) =>
        dtype == torch.ScalarType.Float32 && Vector512.IsHardwareAccelerated && Vector512<float>.Count == 16
        && hidden % 16 == 0 && hidden > 0 && classes is >= 1 and <= MaxClasses;

    /// <summary>Where each parameter sits in a flat weight row, and the sizes.</summary>
    /// <param name="W1">Offset of the first weight, [hidden, inputs] (nn.Linear's layout).</param>
    /// <param name="B1">Offset of the first bias, [hidden].</param>
    /// <param name="W2">Offset of the output weight, [classes, hidden].</param>
    /// <param name="B2">Offset of the output bias, [classes].</param>
    /// <param name="Inputs">Width of the dense input rows.</param>
    /// <param name="Hidden">Hidden width (a multiple of 16).</param>
    /// <param name="Classes">Number of classes (≤ 32).</param>
    public readonly record struct Layout(long W1, long B1, long W2, long B2, int Inputs, int Hidden, int Classes);

    /// <summary>The samples of one call (addresses of CPU tensors the caller keeps alive).</summary>
    public readonly struct Samples
    {
        /// <summary>[n, k] int64: each training row's hot columns.</summary>
        public required nint Columns { get; init; }

        /// <summary>k.</summary>
        public required int Ones { get; init; }

        /// <summary>[n] int64 class indices.</summary>
        public required nint Targets { get; init; }

        /// <summary>[C, B] int64 sample indices (row-major), or 0 for every sample in order (B = n).</summary>
        public required nint Indices { get; init; }

        /// <summary>B.</summary>
        public required int Batch { get; init; }

        /// <summary>The hidden activation; ReLU and the identity run inline, others need <see cref="Values"/>.</summary>
        public required StackActivation Activation { get; init; }

        /// <summary>For other activations: the activations [C, B, hidden] (computed by torch from <see cref="PreActivations"/>), else 0.</summary>
        public nint Values { get; init; }

        /// <summary>With <see cref="Values"/>: the activation's derivatives at the pre-activations, [C, B, hidden].</summary>
        public nint Derivatives { get; init; }

        /// <summary>Sample r of chain c's batch.</summary>
        public long Sample(int c, int r) => Indices == 0 ? r : ((long*)Indices)[(long)c * Batch + r];

        /// <summary>The hot columns of training row s.</summary>
        public long* ColumnsOf(long s) => (long*)Columns + s * Ones;
    }

    /// <summary>
    /// Per chain c: losses[c] = mean over the batch of the cross-entropy, and (when <paramref name="gradient"/> is not
    /// null) its gradient in the flat row c of <paramref name="gradient"/>.
    /// </summary>
    /// <param name="weights">[C, D] float32, rows <paramref name="weightStride"/> apart, contiguous within a row.</param>
    /// <param name="weightStride">Distance between rows of weights.</param>
    /// <param name="gradient">[C, D] float32 rows <paramref name="gradientStride"/> apart, or null.</param>
    /// <param name="gradientStride">Distance between rows of the gradient.</param>
    /// <param name="losses">[C] float32 output.</param>
    /// <param name="chains">C.</param>
    /// <param name="layout">The parameters' places.</param>
    /// <param name="samples">The batch.</param>
    public static void Run(float* weights, long weightStride, float* gradient, long gradientStride, float* losses, int chains,
        Layout layout, Samples samples)
    {
        nint w = (nint)weights, g = (nint)gradient, l = (nint)losses;
        ChainParallel.For(chains, c => Chain(c, w, weightStride, g, gradientStride, l, layout, samples));
    }

    /// <summary>The hidden pre-activations [C, B, hidden] (Σ of the k rows of W1ᵀ plus the bias), for activations torch applies.</summary>
    public static void PreActivations(float* weights, long weightStride, float* output, int chains, Layout layout, Samples samples)
    {
        nint w = (nint)weights, o = (nint)output;
        ChainParallel.For(chains, c =>
        {
            int hidden = layout.Hidden;
            var scratch = Scratch.For(layout.Inputs, hidden);
            float* row = (float*)w + c * weightStride;
            fixed (float* table = scratch.Table)
            {
                Transpose(row + layout.W1, hidden, layout.Inputs, table);
                float* b1 = row + layout.B1;
                for (int r = 0; r < samples.Batch; r++)
                {
                    long* columns = samples.ColumnsOf(samples.Sample(c, r));
                    float* y = (float*)o + ((long)c * samples.Batch + r) * hidden;
                    for (int v = 0; v < hidden; v += 16)
                    {
                        var sum = Vector512.Load(b1 + v);
                        for (int j = 0; j < samples.Ones; j++) sum += Vector512.Load(table + columns[j] * hidden + v);
                        sum.Store(y + v);
                    }
                }
            }
        });
    }

    // dst [cols, rows] = src [rows, cols]ᵀ.
    private static void Transpose(float* src, int rows, int cols, float* dst)
    {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
    }

    private static void Chain(int c, nint weights, long weightStride, nint gradient, long gradientStride, nint losses,
        Layout layout, Samples samples)
    {
        int hidden = layout.Hidden, inputs = layout.Inputs, classes = layout.Classes;
        var scratch = Scratch.For(inputs, hidden);
        float* w = (float*)weights + c * weightStride;
        float* grad = gradient == 0 ? null : (float*)gradient + c * gradientStride;
        fixed (float* table = scratch.Table, w2t = scratch.W2t, dTable = scratch.DTable, dw2t = scratch.DW2t,
            db1 = scratch.DB1, db2 = scratch.DB2, hBlock = scratch.HBlock, gBlock = scratch.GBlock, b2 = scratch.B2)
        {
            // W1ᵀ [inputs, hidden]: the rows the gather reads; W2ᵀ [hidden, 32] and the bias padded with zeros.
            float* w1 = w + layout.W1, w2 = w + layout.W2;
            Transpose(w1, hidden, inputs, table);
            new Span<float>(w2t, hidden * MaxClasses).Clear();
            for (int k = 0; k < classes; k++)
            {
                float* row = w2 + k * hidden;
                for (int j = 0; j < hidden; j++) w2t[j * MaxClasses + k] = row[j];
            }
            new Span<float>(b2, MaxClasses).Clear();
            new ReadOnlySpan<float>(w + layout.B2, classes).CopyTo(new Span<float>(b2, MaxClasses));
            if (grad is not null)
            {
                new Span<float>(dTable, inputs * hidden).Clear();
                new Span<float>(dw2t, hidden * MaxClasses).Clear();
                new Span<float>(db1, hidden).Clear();
                new Span<float>(db2, MaxClasses).Clear();
            }
            int batch = samples.Batch;
            float inverseBatch = 1f / batch;
            double total = 0;
            long* sample = stackalloc long[Block];
            for (int start = 0; start < batch; start += Block)
            {
                int rows = Math.Min(Block, batch - start);
                for (int r = 0; r < Block; r++) sample[r] = r >= rows ? -1 : samples.Sample(c, start + r);
                Hidden(c, start, rows, sample, w + layout.B1, table, hBlock, layout, samples);
                total += Logits(hBlock, w2t, b2, gBlock, hidden, classes, rows, sample, (long*)samples.Targets, inverseBatch);
                if (grad is null) continue;
                AccumulateOutput(hBlock, gBlock, dw2t, db2, hidden);
                HiddenError(c, start, rows, sample, w2, gBlock, hBlock, dTable, db1, layout, samples);
            }
            ((float*)losses)[c] = (float)(total / batch);
            if (grad is null) return;
            float* gw1 = grad + layout.W1, gw2 = grad + layout.W2;
            Transpose(dTable, inputs, hidden, gw1);
            new ReadOnlySpan<float>(db1, hidden).CopyTo(new Span<float>(grad + layout.B1, hidden));
            for (int k = 0; k < classes; k++)
            {
                float* row = gw2 + k * hidden;
                for (int j = 0; j < hidden; j++) row[j] = dw2t[j * MaxClasses + k];
            }
            new ReadOnlySpan<float>(db2, classes).CopyTo(new Span<float>(grad + layout.B2, classes));
        }
    }

    // The block's hidden activations [8, hidden] (rows past the batch zero).
    private static void Hidden(int c, int start, int rows, long* sample, float* b1, float* table, float* hBlock, Layout layout, Samples samples)
    {
        int hidden = layout.Hidden, k = samples.Ones;
        for (int r = 0; r < Block; r++)
        {
            float* h = hBlock + r * hidden;
            if (r >= rows)
            {
                new Span<float>(h, hidden).Clear();
                continue;
            }
            if (samples.Values != 0)
            {
                new ReadOnlySpan<float>((float*)samples.Values + ((long)c * samples.Batch + start + r) * hidden, hidden).CopyTo(new Span<float>(h, hidden));
                continue;
            }
            long* columns = samples.ColumnsOf(sample[r]);
            bool relu = samples.Activation == StackActivation.Relu;
            for (int v = 0; v < hidden; v += 16)
            {
                var sum = Vector512.Load(b1 + v);
                for (int j = 0; j < k; j++) sum += Vector512.Load(table + columns[j] * hidden + v);
                if (relu) sum = Vector512.Max(sum, Vector512<float>.Zero);
                sum.Store(h + v);
            }
        }
    }

    // The block's logits, softmax and loss: returns the block's summed loss and leaves ∂(mean loss)/∂logits [8, 32] in
    // gBlock (zero for padded classes and rows past the batch).
    private static double Logits(float* hBlock, float* w2t, float* b2, float* gBlock, int hidden, int classes, int rows,
        long* sample, long* targets, float inverseBatch)
    {
        Product(hBlock, w2t, b2, gBlock, hidden);
        // Lanes past the classes take no part in the softmax.
        var validLow = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(classes)).AsSingle();
        var validHigh = Vector512.LessThan(Vector512<int>.Indices + Vector512.Create(16), Vector512.Create(classes)).AsSingle();
        double total = 0;
        for (int r = 0; r < Block; r++) total += Softmax(validLow, validHigh, gBlock, r, rows, sample, targets, inverseBatch);
        return total;
    }

    // z[r, :] = b2 + Σ_j h[r, j]·W2ᵀ[j, :] for the block's 8 rows, into z [8, 32]: 16 accumulators held in registers
    // (no call in this method: a call would make the JIT spill them inside the loop).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Product(float* hBlock, float* w2t, float* b2, float* z, int hidden)
    {
        var lo = Vector512.Load(b2);
        var hi = Vector512.Load(b2 + 16);
        Vector512<float> z0a = lo, z0b = hi, z1a = lo, z1b = hi, z2a = lo, z2b = hi, z3a = lo, z3b = hi;
        Vector512<float> z4a = lo, z4b = hi, z5a = lo, z5b = hi, z6a = lo, z6b = hi, z7a = lo, z7b = hi;
        float* h0 = hBlock, h1 = h0 + hidden, h2 = h1 + hidden, h3 = h2 + hidden, h4 = h3 + hidden, h5 = h4 + hidden, h6 = h5 + hidden, h7 = h6 + hidden;
        float* w = w2t;
        for (int j = 0; j < hidden; j++, w += MaxClasses)
        {
            var wa = Vector512.Load(w);
            var wb = Vector512.Load(w + 16);
            var x = Vector512.Create(h0[j]); z0a = Vector512.FusedMultiplyAdd(x, wa, z0a); z0b = Vector512.FusedMultiplyAdd(x, wb, z0b);
            x = Vector512.Create(h1[j]); z1a = Vector512.FusedMultiplyAdd(x, wa, z1a); z1b = Vector512.FusedMultiplyAdd(x, wb, z1b);
            x = Vector512.Create(h2[j]); z2a = Vector512.FusedMultiplyAdd(x, wa, z2a); z2b = Vector512.FusedMultiplyAdd(x, wb, z2b);
            x = Vector512.Create(h3[j]); z3a = Vector512.FusedMultiplyAdd(x, wa, z3a); z3b = Vector512.FusedMultiplyAdd(x, wb, z3b);
            x = Vector512.Create(h4[j]); z4a = Vector512.FusedMultiplyAdd(x, wa, z4a); z4b = Vector512.FusedMultiplyAdd(x, wb, z4b);
            x = Vector512.Create(h5[j]); z5a = Vector512.FusedMultiplyAdd(x, wa, z5a); z5b = Vector512.FusedMultiplyAdd(x, wb, z5b);
            x = Vector512.Create(h6[j]); z6a = Vector512.FusedMultiplyAdd(x, wa, z6a); z6b = Vector512.FusedMultiplyAdd(x, wb, z6b);
            x = Vector512.Create(h7[j]); z7a = Vector512.FusedMultiplyAdd(x, wa, z7a); z7b = Vector512.FusedMultiplyAdd(x, wb, z7b);
        }
        z0a.Store(z); z0b.Store(z + 16); z1a.Store(z + 32); z1b.Store(z + 48);
        z2a.Store(z + 64); z2b.Store(z + 80); z3a.Store(z + 96); z3b.Store(z + 112);
        z4a.Store(z + 128); z4b.Store(z + 144); z5a.Store(z + 160); z5b.Store(z + 176);
        z6a.Store(z + 192); z6b.Store(z + 208); z7a.Store(z + 224); z7b.Store(z + 240);
    }

    // One row's cross-entropy −log softmax(z)[y] from its logits in gBlock row r, replaced by the gradient
    // (softmax − one-hot)/B.
    private static double Softmax(Vector512<float> validLow, Vector512<float> validHigh, float* gBlock, int r, int rows, long* sample, long* targets, float inverseBatch)
    {
        float* g = gBlock + r * MaxClasses;
        var a = Vector512.Load(g);
        var b = Vector512.Load(g + 16);
        if (r >= rows)
        {
            Vector512<float>.Zero.Store(g);
            Vector512<float>.Zero.Store(g + 16);
            return 0;
        }
        var negative = Vector512.Create(float.NegativeInfinity);
        int y = (int)targets[sample[r]];
        float zy = y < 16 ? a.GetElement(y) : b.GetElement(y - 16);
        a = Vector512.ConditionalSelect(validLow, a, negative);
        b = Vector512.ConditionalSelect(validHigh, b, negative);
        float max = MaxOf(Vector512.Max(a, b));
        var m = Vector512.Create(max);
        var ea = Vector512.ConditionalSelect(validLow, Vector512.Exp(a - m), Vector512<float>.Zero);
        var eb = Vector512.ConditionalSelect(validHigh, Vector512.Exp(b - m), Vector512<float>.Zero);
        float sum = Vector512.Sum(ea + eb);
        var scale = Vector512.Create(inverseBatch / sum);
        (ea * scale).Store(g);
        (eb * scale).Store(g + 16);
        g[y] -= inverseBatch;
        return Math.Log(sum) + max - zy;
    }

    private static float MaxOf(Vector512<float> v)
    {
        var quarter = Vector128.Max(Vector256.Max(v.GetLower(), v.GetUpper()).GetLower(), Vector256.Max(v.GetLower(), v.GetUpper()).GetUpper());
        return MathF.Max(MathF.Max(quarter[0], quarter[1]), MathF.Max(quarter[2], quarter[3]));
    }

    // W2ᵀ's and the output bias's gradients accumulate the block's: dW2ᵀ[j, :] += Σ_r h[r, j]·g[r, :].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateOutput(float* hBlock, float* gBlock, float* dw2t, float* db2, int hidden)
    {
        Vector512<float> g0a = Vector512.Load(gBlock), g0b = Vector512.Load(gBlock + 16);
        Vector512<float> g1a = Vector512.Load(gBlock + 32), g1b = Vector512.Load(gBlock + 48);
        Vector512<float> g2a = Vector512.Load(gBlock + 64), g2b = Vector512.Load(gBlock + 80);
        Vector512<float> g3a = Vector512.Load(gBlock + 96), g3b = Vector512.Load(gBlock + 112);
        Vector512<float> g4a = Vector512.Load(gBlock + 128), g4b = Vector512.Load(gBlock + 144);
        Vector512<float> g5a = Vector512.Load(gBlock + 160), g5b = Vector512.Load(gBlock + 176);
        Vector512<float> g6a = Vector512.Load(gBlock + 192), g6b = Vector512.Load(gBlock + 208);
        Vector512<float> g7a = Vector512.Load(gBlock + 224), g7b = Vector512.Load(gBlock + 240);
        float* h0 = hBlock, h1 = h0 + hidden, h2 = h1 + hidden, h3 = h2 + hidden, h4 = h3 + hidden, h5 = h4 + hidden, h6 = h5 + hidden, h7 = h6 + hidden;
        for (int j = 0; j < hidden; j++)
        {
            float* d = dw2t + j * MaxClasses;
            var a = Vector512.Load(d);
            var b = Vector512.Load(d + 16);
            var x = Vector512.Create(h0[j]); a = Vector512.FusedMultiplyAdd(x, g0a, a); b = Vector512.FusedMultiplyAdd(x, g0b, b);
            x = Vector512.Create(h1[j]); a = Vector512.FusedMultiplyAdd(x, g1a, a); b = Vector512.FusedMultiplyAdd(x, g1b, b);
            x = Vector512.Create(h2[j]); a = Vector512.FusedMultiplyAdd(x, g2a, a); b = Vector512.FusedMultiplyAdd(x, g2b, b);
            x = Vector512.Create(h3[j]); a = Vector512.FusedMultiplyAdd(x, g3a, a); b = Vector512.FusedMultiplyAdd(x, g3b, b);
            x = Vector512.Create(h4[j]); a = Vector512.FusedMultiplyAdd(x, g4a, a); b = Vector512.FusedMultiplyAdd(x, g4b, b);
            x = Vector512.Create(h5[j]); a = Vector512.FusedMultiplyAdd(x, g5a, a); b = Vector512.FusedMultiplyAdd(x, g5b, b);
            x = Vector512.Create(h6[j]); a = Vector512.FusedMultiplyAdd(x, g6a, a); b = Vector512.FusedMultiplyAdd(x, g6b, b);
            x = Vector512.Create(h7[j]); a = Vector512.FusedMultiplyAdd(x, g7a, a); b = Vector512.FusedMultiplyAdd(x, g7b, b);
            a.Store(d);
            b.Store(d + 16);
        }
        var sa = g0a + g1a + g2a + g3a + g4a + g5a + g6a + g7a;
        var sb = g0b + g1b + g2b + g3b + g4b + g5b + g6b + g7b;
        (Vector512.Load(db2) + sa).Store(db2);
        (Vector512.Load(db2 + 16) + sb).Store(db2 + 16);
    }

    // The hidden error of the block, e[r, :] = (g[r, :]·W2) ⊙ act′, 16 hidden units at a time, added into the k rows of
    // W1ᵀ's gradient each sample used and into the first bias's gradient.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HiddenError(int c, int start, int rows, long* sample, float* w2, float* gBlock, float* hBlock,
        float* dTable, float* db1, Layout layout, Samples samples)
    {
        int hidden = layout.Hidden, classes = layout.Classes, k = samples.Ones;
        float* derivatives = samples.Derivatives == 0 ? null : (float*)samples.Derivatives + ((long)c * samples.Batch + start) * hidden;
        bool relu = samples.Activation == StackActivation.Relu;
        var e = stackalloc Vector512<float>[Block];
        for (int v = 0; v < hidden; v += 16)
        {
            Vector512<float> e0 = default, e1 = default, e2 = default, e3 = default, e4 = default, e5 = default, e6 = default, e7 = default;
            float* g = gBlock; // rows MaxClasses apart: constant offsets, one register
            for (int q = 0; q < classes; q++, g++)
            {
                var a = Vector512.Load(w2 + q * hidden + v);
                e0 = Vector512.FusedMultiplyAdd(Vector512.Create(g[0]), a, e0);
                e1 = Vector512.FusedMultiplyAdd(Vector512.Create(g[32]), a, e1);
                e2 = Vector512.FusedMultiplyAdd(Vector512.Create(g[64]), a, e2);
                e3 = Vector512.FusedMultiplyAdd(Vector512.Create(g[96]), a, e3);
                e4 = Vector512.FusedMultiplyAdd(Vector512.Create(g[128]), a, e4);
                e5 = Vector512.FusedMultiplyAdd(Vector512.Create(g[160]), a, e5);
                e6 = Vector512.FusedMultiplyAdd(Vector512.Create(g[192]), a, e6);
                e7 = Vector512.FusedMultiplyAdd(Vector512.Create(g[224]), a, e7);
            }
            e[0] = e0; e[1] = e1; e[2] = e2; e[3] = e3; e[4] = e4; e[5] = e5; e[6] = e6; e[7] = e7;
            var bias = Vector512.Load(db1 + v);
            for (int r = 0; r < rows; r++)
            {
                var error = e[r];
                if (relu) error = Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Load(hBlock + r * hidden + v), Vector512<float>.Zero), error, Vector512<float>.Zero);
                else if (derivatives is not null) error *= Vector512.Load(derivatives + r * hidden + v);
                long* columns = samples.ColumnsOf(sample[r]);
                for (int j = 0; j < k; j++)
                {
                    float* t = dTable + columns[j] * hidden + v;
                    (Vector512.Load(t) + error).Store(t);
                }
                bias += error;
            }
            bias.Store(db1 + v);
        }
    }

    // Per-thread buffers, reused across calls (no allocation per step).
    private sealed class Scratch
    {
        [ThreadStatic] private static Scratch? _current;

        private Scratch(int inputs, int hidden)
        {
            (Inputs, HiddenWidth) = (inputs, hidden);
            Table = GC.AllocateArray<float>(inputs * hidden, pinned: true);
            DTable = GC.AllocateArray<float>(inputs * hidden, pinned: true);
            W2t = GC.AllocateArray<float>(hidden * MaxClasses, pinned: true);
            DW2t = GC.AllocateArray<float>(hidden * MaxClasses, pinned: true);
            DB1 = GC.AllocateArray<float>(hidden, pinned: true);
            DB2 = GC.AllocateArray<float>(MaxClasses, pinned: true);
            B2 = GC.AllocateArray<float>(MaxClasses, pinned: true);
            HBlock = GC.AllocateArray<float>(Block * hidden, pinned: true);
            GBlock = GC.AllocateArray<float>(Block * MaxClasses, pinned: true);
        }

        public int Inputs { get; }
        public int HiddenWidth { get; }
        public float[] Table { get; }
        public float[] DTable { get; }
        public float[] W2t { get; }
        public float[] DW2t { get; }
        public float[] DB1 { get; }
        public float[] DB2 { get; }
        public float[] B2 { get; }
        public float[] HBlock { get; }
        public float[] GBlock { get; }

        public static Scratch For(int inputs, int hidden)
        {
            var s = _current;
            if (s is null || s.Inputs != inputs || s.HiddenWidth != hidden) _current = s = new Scratch(inputs, hidden);
            return s;
        }
    }
}
