using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// RMSProp-preconditioned SGLD (pSGLD, Li, Chen, Carlson &amp; Carin 2016), per chain and coordinate:
/// V ← αV + (1 − α)·g², G = 1/(√V + δ), w ← w − ε/2 · G ⊙ g + √(ε G) ⊙ ξ, with g = nβ·∇L + γ(w − w*). The Γ correction
/// term of the paper is dropped, as is usual (it is O(1 − α)). V starts at the first g² so early steps are not huge.
/// </summary>
public sealed class RmspropSgldSampler(SamplerSettings settings, double alpha = 0.99, double delta = 1e-8) : IChainSampler
{
    private torch.Tensor? _v;
    private bool[]? _fresh;

    /// <inheritdoc />
    public void Step(torch.Tensor weights, torch.Tensor lossGradient, torch.Tensor center, torch.Tensor noise)
    {
        using var scope = torch.NewDisposeScope();
        var g = settings.PotentialGradient(weights, lossGradient, center);
        if (_v is null)
        {
            _v = g.square().DetachFromDisposeScope();
            _fresh = new bool[weights.shape[0]];
        }
        else
        {
            _v.mul_(alpha).addcmul_(g, g, value: 1 - alpha);
            for (long c = 0; c < _fresh!.Length; c++)
            {
                if (_fresh[c]) { _v[c].copy_(g[c].square()); _fresh[c] = false; }
            }
        }
        var precondition = (_v.sqrt() + delta).reciprocal();
        weights.addcmul_(precondition, g, value: -settings.StepSize / 2)
               .addcmul_((precondition * settings.StepSize).sqrt(), noise, value: 1);
    }

    /// <inheritdoc />
    public void Reset(long chain)
    {
        if (_fresh is not null) _fresh[chain] = true;
    }

    /// <inheritdoc />
    public void Dispose() => _v?.Dispose();
}
