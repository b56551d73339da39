using DevInterp.Llc;
using MathNet.Numerics.Distributions;

namespace DevInterp.Tests.Llc;

/// <summary>
/// Draws nβ(L − L*) of chains sampling the posterior near a minimum are about Gamma(λ, 1): Var/mean ≈ 1 and no draw far
/// beyond the sample's expected maximum. A few stiff-direction excursions (as unadjusted SGLD makes on deep linear
/// networks) leave the median in place and must make the estimate doubtful, with the reason in words.
/// </summary>
public class SpikeDiagnosticsTests
{
    private static List<double[]> GammaChains(double shape, int chains, int draws, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, chains).Select(_ => Enumerable.Range(0, draws).Select(_ => Gamma.Sample(random, shape, 1)).ToArray()).ToList();
    }

    [Fact]
    public void GammaDrawsPassAndSpikesAreFlagged()
    {
        var clean = GammaChains(13.5, 8, 2000, 1);
        var d = LlcVerdicts.Assess(clean, clean.Average(t => t.Average()), 8, []);
        Assert.Equal(LlcVerdict.Trusted, d.Verdict);
        Assert.InRange(d.Dispersion, 0.9, 1.1);
        Assert.InRange(d.SpikeRatio, 0.6, 1.5);
        Assert.All(d.ChainDispersion!, v => Assert.InRange(v, 0.8, 1.2));

        // Three excursions of 3,000 in two chains, as in the SGLD runs of rrr-6-4-6-r2 (median draw 13.2, max 2,956).
        var spiked = clean.Select(t => t.ToArray()).ToList();
        spiked[2][500] = 3000;
        spiked[2][501] = 2500;
        spiked[5][1200] = 3000;
        double mean = spiked.Average(t => t.Average());
        var s = LlcVerdicts.Assess(spiked, mean, 8, []);
        Assert.Equal(LlcVerdict.Doubtful, s.Verdict);
        Assert.True(s.Dispersion > LlcDiagnostics.DispersionDoubtful, $"Var/mean {s.Dispersion}");
        Assert.True(s.SpikeRatio > 50);
        Assert.Contains(s.Reasons, r => r.StartsWith("spikes", StringComparison.Ordinal) && r.Contains("3E+03", StringComparison.Ordinal));
        Assert.Contains(s.Reasons, r => r.Contains("Var/mean", StringComparison.Ordinal) && r.Contains("2:", StringComparison.Ordinal));
        Assert.True(s.ChainDispersion![2] > 10 && s.ChainDispersion[0] < 1.5);
        Assert.True(s.ChainPeakRatio![2] > 100);
    }

    [Fact]
    public void LowAcceptanceMakesAnEstimateDoubtful()
    {
        var chains = GammaChains(5, 4, 1000, 2);
        var d = LlcVerdicts.Assess(chains, chains.Average(t => t.Average()), 4, [], acceptance: [0.05, 0.06, 0.04, 0.07]);
        Assert.Equal(LlcVerdict.Doubtful, d.Verdict);
        Assert.Contains(d.Reasons, r => r.StartsWith("the chains rarely move", StringComparison.Ordinal));
        Assert.Equal(0.055, d.Acceptance, 12);
    }
}
