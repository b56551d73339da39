using System.Runtime.Intrinsics;
using DevInterp.Numerics;
using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// The element-wise work of a <see cref="PcnLangevinSampler"/> step on float32 chains as two managed passes per chain,
/// as <see cref="MalaKernel"/> does for MALA: the Crank–Nicolson proposal in one pass, then the four per-chain sums of
/// the Metropolis ratio (products in float32, sums in float64) in one pass. Each sum runs in a fixed order, so results do
/// not depend on the thread count.
/// </summary>
internal static unsafe class PcnLangevinKernel
{
    /// <summary>
    /// proposal = w* + a·(w − w*) − pull·nβ·∇L + spread·ξ per chain, with the chain's a, pull = (1 − a)/γ and
    /// spread = √((1 − a²)/γ).
    /// </summary>
    public static void Propose(torch.Tensor weights, torch.Tensor gradient, torch.Tensor center, torch.Tensor noise,
        torch.Tensor proposal, double[] a, double[] pull, double[] spread, float nBeta)
    {
        var (w, g, xi, p) = (MalaKernel.Rows.Of(weights), MalaKernel.Rows.Of(gradient), MalaKernel.Rows.Of(noise), MalaKernel.Rows.Of(proposal));
        nint c = (nint)TensorMemory.Float32(center);
        int d = (int)weights.shape[1];
        ChainParallel.For((int)weights.shape[0], chain =>
        {
            float* wr = w.Row(chain), gr = g.Row(chain), xr = xi.Row(chain), pr = p.Row(chain), cr = (float*)c;
            float ac = (float)a[chain], pc = (float)(-pull[chain] * nBeta), sc = (float)spread[chain];
            var (av, pv, sv) = (Vector512.Create(ac), Vector512.Create(pc), Vector512.Create(sc));
            int i = 0;
            for (; i + 16 <= d; i += 16)
            {
                var ci = Vector512.Load(cr + i);
                (ci + av * (Vector512.Load(wr + i) - ci) + pv * Vector512.Load(gr + i) + sv * Vector512.Load(xr + i)).Store(pr + i);
            }
            for (; i < d; i++) pr[i] = cr[i] + ac * (wr[i] - cr[i]) + pc * gr[i] + sc * xr[i];
        });
    }

    /// <summary>
    /// Per chain, into <paramref name="sums"/> [C, 4]: ⟨u' − a·u, g⟩, ⟨u − a·u', g'⟩, ‖g'‖², ‖g‖², with u = w − w*,
    /// u' = w' − w* and g = nβ·∇L at w, g' at w'.
    /// </summary>
    public static void Sums(torch.Tensor weights, torch.Tensor gradient, torch.Tensor proposal, torch.Tensor proposalGradient,
        torch.Tensor center, double[] a, float nBeta, double[] sums)
    {
        var (w, g, p, pg) = (MalaKernel.Rows.Of(weights), MalaKernel.Rows.Of(gradient), MalaKernel.Rows.Of(proposal), MalaKernel.Rows.Of(proposalGradient));
        nint c = (nint)TensorMemory.Float32(center);
        int d = (int)weights.shape[1];
        ChainParallel.For((int)weights.shape[0], chain =>
        {
            float* wr = w.Row(chain), gr = g.Row(chain), pr = p.Row(chain), pgr = pg.Row(chain), cr = (float*)c;
            float ac = (float)a[chain];
            var (av, nb) = (Vector512.Create(ac), Vector512.Create(nBeta));
            Vector512<double> forward = default, backward = default, proposed = default, current = default;
            int i = 0;
            for (; i + 16 <= d; i += 16)
            {
                var ci = Vector512.Load(cr + i);
                var u = Vector512.Load(wr + i) - ci;
                var up = Vector512.Load(pr + i) - ci;
                var gi = nb * Vector512.Load(gr + i);
                var gp = nb * Vector512.Load(pgr + i);
                forward += MalaKernel.Widen((up - av * u) * gi);
                backward += MalaKernel.Widen((u - av * up) * gp);
                proposed += MalaKernel.Widen(gp * gp);
                current += MalaKernel.Widen(gi * gi);
            }
            double f = Vector512.Sum(forward), b = Vector512.Sum(backward), q = Vector512.Sum(proposed), r = Vector512.Sum(current);
            for (; i < d; i++)
            {
                float u = wr[i] - cr[i], up = pr[i] - cr[i], gi = nBeta * gr[i], gp = nBeta * pgr[i];
                f += (up - ac * u) * gi;
                b += (u - ac * up) * gp;
                q += gp * gp;
                r += gi * gi;
            }
            (sums[4 * chain], sums[4 * chain + 1], sums[4 * chain + 2], sums[4 * chain + 3]) = (f, b, q, r);
        });
    }
}
