using System.Runtime.Intrinsics;
using DevInterp.Numerics;
using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// The element-wise work of a <see cref="MalaSampler"/> step on float32 chains as two managed passes per chain, where
/// the torch operations made about twenty passes over [C, D] and a dozen temporaries: the proposal (drift and noise in
/// one pass), then, after the potential's evaluation, the four per-chain sums of the Metropolis ratio (each product in
/// float32, summed in float64, as the torch path does) in one pass; an accepted chain's row is copied, a rejected one
/// is not touched. Chains run as tasks on up to torch's intra-op thread count; each sum runs in a fixed order, so
/// results do not depend on the thread count.
/// </summary>
internal static unsafe class MalaKernel
{
    /// <summary>Whether the kernel runs for chains of this dtype on this machine.</summary>
    public static bool Supports(torch.Tensor weights) =>
        weights.dtype == torch.ScalarType.Float32 && Vector512.IsHardwareAccelerated && weights.dim() == 2 && weights.stride(1) == 1;

    /// <summary>The constants of a step.</summary>
    /// <param name="NBeta">nβ.</param>
    /// <param name="Gamma">γ.</param>
    public readonly record struct Constants(float NBeta, float Gamma);

    /// <summary>proposal = w − s/2·g(w) + √s·ξ per chain, with g = nβ·∇L + γ(w − w*) and s the chain's step size.</summary>
    public static void Propose(torch.Tensor weights, torch.Tensor gradient, torch.Tensor center, torch.Tensor noise,
        torch.Tensor proposal, double[] steps, Constants k)
    {
        var (w, g, c, xi, p) = (Rows.Of(weights), Rows.Of(gradient), (nint)TensorMemory.Float32(center), Rows.Of(noise), Rows.Of(proposal));
        int d = (int)weights.shape[1];
        ChainParallel.For((int)weights.shape[0], chain =>
        {
            float* wr = w.Row(chain), gr = g.Row(chain), xr = xi.Row(chain), pr = p.Row(chain), cr = (float*)c;
            var nBeta = Vector512.Create(k.NBeta);
            var gamma = Vector512.Create(k.Gamma);
            var minusHalfStep = Vector512.Create((float)(-steps[chain] / 2));
            var sqrtStep = Vector512.Create((float)Math.Sqrt(steps[chain]));
            int i = 0;
            for (; i + 16 <= d; i += 16)
            {
                var wi = Vector512.Load(wr + i);
                var drift = nBeta * Vector512.Load(gr + i) + gamma * (wi - Vector512.Load(cr + i));
                (wi + minusHalfStep * drift + sqrtStep * Vector512.Load(xr + i)).Store(pr + i);
            }
            for (; i < d; i++)
            {
                float drift = k.NBeta * gr[i] + k.Gamma * (wr[i] - cr[i]);
                pr[i] = wr[i] + minusHalfStep[0] * drift + sqrtStep[0] * xr[i];
            }
        });
    }

    /// <summary>
    /// Per chain, into <paramref name="sums"/> [C, 4]: Σ d·(w' + w − 2w*), Σ d·(g + g'), ‖g'‖², ‖g‖² with d = w' − w and
    /// g, g' the drifts at w and w'.
    /// </summary>
    public static void Sums(torch.Tensor weights, torch.Tensor gradient, torch.Tensor proposal, torch.Tensor proposalGradient,
        torch.Tensor center, Constants k, double[] sums)
    {
        var (w, g, p, pg, c) = (Rows.Of(weights), Rows.Of(gradient), Rows.Of(proposal), Rows.Of(proposalGradient), (nint)TensorMemory.Float32(center));
        int d = (int)weights.shape[1];
        ChainParallel.For((int)weights.shape[0], chain =>
        {
            float* wr = w.Row(chain), gr = g.Row(chain), pr = p.Row(chain), pgr = pg.Row(chain), cr = (float*)c;
            var nBeta = Vector512.Create(k.NBeta);
            var gamma = Vector512.Create(k.Gamma);
            Vector512<double> through = default, cross = default, proposed = default, current = default;
            int i = 0;
            for (; i + 16 <= d; i += 16)
            {
                var wi = Vector512.Load(wr + i);
                var pi = Vector512.Load(pr + i);
                var ci = Vector512.Load(cr + i);
                var move = pi - wi;
                var drift = nBeta * Vector512.Load(gr + i) + gamma * (wi - ci);
                var proposedDrift = nBeta * Vector512.Load(pgr + i) + gamma * (pi - ci);
                through += Widen(move * (pi + wi - (ci + ci)));
                cross += Widen(move * (drift + proposedDrift));
                proposed += Widen(proposedDrift * proposedDrift);
                current += Widen(drift * drift);
            }
            double t = Vector512.Sum(through), x = Vector512.Sum(cross), q = Vector512.Sum(proposed), u = Vector512.Sum(current);
            for (; i < d; i++)
            {
                float move = pr[i] - wr[i];
                float drift = k.NBeta * gr[i] + k.Gamma * (wr[i] - cr[i]);
                float proposedDrift = k.NBeta * pgr[i] + k.Gamma * (pr[i] - cr[i]);
                t += move * (pr[i] + wr[i] - (cr[i] + cr[i]));
                x += move * (drift + proposedDrift);
                q += proposedDrift * proposedDrift;
                u += drift * drift;
            }
            (sums[4 * chain], sums[4 * chain + 1], sums[4 * chain + 2], sums[4 * chain + 3]) = (t, x, q, u);
        });
    }

    /// <summary>Copies row c of <paramref name="from"/> into <paramref name="to"/> for every chain with accept[c].</summary>
    public static void CopyAccepted(torch.Tensor from, torch.Tensor to, bool[] accept)
    {
        var (f, t) = (Rows.Of(from), Rows.Of(to));
        int d = (int)from.shape[1];
        for (int chain = 0; chain < accept.Length; chain++)
        {
            if (accept[chain]) new ReadOnlySpan<float>(f.Row(chain), d).CopyTo(new Span<float>(t.Row(chain), d));
        }
    }

    // Σ of a float32 vector's lanes as two float64 vectors added.
    internal static Vector512<double> Widen(Vector512<float> v)
    {
        var (lower, upper) = Vector512.Widen(v);
        return lower + upper;
    }

    // Row addresses of a [C, D] float32 tensor with contiguous rows.
    internal readonly struct Rows(nint start, long stride)
    {
        public static Rows Of(torch.Tensor t) => new((nint)TensorMemory.Float32(t), t.stride(0));

        public float* Row(int chain) => (float*)start + chain * stride;
    }
}
