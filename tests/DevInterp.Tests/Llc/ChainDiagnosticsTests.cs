using DevInterp.Llc.Diagnostics;

namespace DevInterp.Tests.Llc;

public class ChainDiagnosticsTests
{
    private static List<double[]> Ar1Chains(int chains, int draws, double phi, int seed, Func<int, double>? offset = null)
    {
        var rng = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var result = new List<double[]>();
        for (int c = 0; c < chains; c++)
        {
            var x = new double[draws];
            double v = Gaussian() / Math.Sqrt(1 - phi * phi);
            for (int t = 0; t < draws; t++)
            {
                v = phi * v + Gaussian();
                x[t] = v + (offset?.Invoke(c) ?? 0);
            }
            result.Add(x);
        }
        return result;
    }

    [Fact]
    public void IndependentDrawsHaveRHatNearOneAndFullEss()
    {
        var chains = Ar1Chains(4, 1000, 0.0, seed: 1);
        Assert.InRange(ChainDiagnostics.SplitRHat(chains), 0.99, 1.01);
        Assert.InRange(ChainDiagnostics.BulkEss(chains), 3400, 4600);
        Assert.InRange(ChainDiagnostics.TailEss(chains), 2800, 5000);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void AutocorrelatedDrawsHaveTheAr1EffectiveSampleSize(double phi)
    {
        // For AR(1) with coefficient φ the integrated autocorrelation time is (1 + φ)/(1 − φ).
        var chains = Ar1Chains(4, 4000, phi, seed: 2);
        double expected = 4 * 4000 * (1 - phi) / (1 + phi);
        double ess = ChainDiagnostics.BulkEss(chains);
        Assert.InRange(ess, 0.8 * expected, 1.2 * expected);
    }

    [Fact]
    public void ChainsStuckAtDifferentLevelsHaveLargeRHat()
    {
        var chains = Ar1Chains(4, 500, 0.3, seed: 3, offset: c => c * 2.0);
        Assert.True(ChainDiagnostics.SplitRHat(chains) > 1.5);
    }

    [Fact]
    public void SplittingCatchesADriftWithinEveryChain()
    {
        // Every chain drifts the same way: the chains agree with each other, but their halves do not.
        var chains = Ar1Chains(4, 1000, 0.0, seed: 4).Select(c => c.Select((v, t) => v + t / 100.0).ToArray()).ToList();
        Assert.True(ChainDiagnostics.RHat(chains) < 1.05);
        Assert.True(ChainDiagnostics.SplitRHat(chains) > 1.5);
    }

    [Fact]
    public void TailRHatCatchesDifferentSpreadsWithEqualMeans()
    {
        // Same mean, very different scales: bulk R̂ is fooled, the folded (tail) R̂ is not.
        var chains = Ar1Chains(4, 1000, 0.0, seed: 5);
        for (int i = 0; i < 2; i++) chains[i] = chains[i].Select(v => v * 5).ToArray();
        Assert.True(ChainDiagnostics.SplitRHat(chains) > 1.1);
    }

    [Fact]
    public void RankNormalizationIsInvariantToMonotoneTransforms()
    {
        var chains = Ar1Chains(3, 200, 0.4, seed: 6);
        var transformed = chains.Select(c => c.Select(Math.Exp).ToArray()).ToList();
        Assert.Equal(ChainDiagnostics.SplitRHat(chains), ChainDiagnostics.SplitRHat(transformed), 12);
        Assert.Equal(ChainDiagnostics.BulkEss(chains), ChainDiagnostics.BulkEss(transformed), 9);
    }
}
