using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// pCNL samples exp(−nβL − γ/2·‖w − w*‖²) exactly, and its proposal is reversible with respect to the localization's
/// Gaussian by itself: with no loss every proposal is accepted and, at δ = εγ/2 = 2, each draw is a fresh draw from
/// N(w*, I/γ); with a weak singular loss over many coordinates it matches quadrature at a step where MALA's
/// proposals are almost all rejected.
/// </summary>
public class PcnLangevinSamplerTests
{
    [Fact]
    public void WithoutALossEveryProposalIsAcceptedAndDrawsAreTheLocalizationsGaussian()
    {
        const double gamma = 4;
        const int dimension = 50;
        // δ = εγ/2 = 2: the Crank–Nicolson proposal is a fresh draw from N(w*, I/γ); no step-size range.
        var options = new LlcOptions(Chains: 4, Draws: 400, BurnIn: 0, StepSize: 4 / gamma, Localization: gamma,
            TargetRelativeError: null, Seed: 7, Sampler: SamplerKind.Pcnl, StepSizeRange: 1);
        using var potential = new QuarticWell(dimension, 0, 100, at: 1.5);
        var result = new LlcEstimator(options).Estimate(potential);

        Assert.All(result.Acceptance!, a => Assert.Equal(1.0, a));
        // ‖w − w*‖² over D coordinates of variance 1/γ: mean D/γ, and consecutive draws independent.
        var spread = result.SpreadTraces!.SelectMany(t => t).ToArray();
        double mean = spread.Average();
        double expected = dimension / gamma, sd = Math.Sqrt(2.0 * dimension) / gamma / Math.Sqrt(spread.Length);
        Assert.True(Math.Abs(mean - expected) < 4 * sd, $"mean ‖w − w*‖² {mean:F3}, expected {expected:F3} ± {sd:F3}");
        foreach (var t in result.SpreadTraces!)
        {
            double m = t.Average(), v = t.Select(x => (x - m) * (x - m)).Average();
            double lag1 = t.Zip(t.Skip(1), (a, b) => (a - m) * (b - m)).Average() / v;
            Assert.InRange(lag1, -0.2, 0.2);
        }
    }

    [Fact]
    public void MatchesQuadratureOnAWeakQuarticWellAtAStepMalaCannotTake()
    {
        const double gamma = 1, curvature = 0.001;
        const int dimension = 100;
        const long n = 100;
        double nBeta = LlcOptions.DefaultNBeta(n);
        double exact = dimension * QuarticWell.Quadrature(nBeta, curvature, gamma);
        // δ = εγ/2 = 1: along every coordinate the proposal moves by the localization's own width.
        var options = new LlcOptions(Chains: 8, Draws: 1500, BurnIn: 50, StepSize: 2 / gamma, Localization: gamma,
            TargetRelativeError: null, Seed: 11, Sampler: SamplerKind.Pcnl, StepSizeRange: 1);
        using var potential = new QuarticWell(dimension, curvature, n, at: -0.5);
        var pcnl = new LlcEstimator(options).Estimate(potential);
        var mala = new LlcEstimator(options with { Sampler = SamplerKind.Mala }).Estimate(potential);
        double se = DevInterp.Llc.Diagnostics.ChainDiagnostics.MeanStandardError(pcnl.LambdaTraces);

        Assert.True(Math.Abs(pcnl.Mean - exact) < 4 * se, $"pCNL {pcnl.Mean:F3} ± {se:F3}, quadrature {exact:F3}");
        Assert.InRange(pcnl.Diagnostics.Acceptance, 0.3, 0.98);
        Assert.True(pcnl.Diagnostics.BulkEss > 0.1 * options.Chains * options.Draws, $"bulk ESS {pcnl.Diagnostics.BulkEss:F0}");
        // MALA's Euler step of the same size overshoots the localization's curvature (εγ = 2): nearly every proposal fails.
        Assert.True(mala.Diagnostics.Acceptance < 0.05, $"MALA acceptance {mala.Diagnostics.Acceptance:P1}");
    }

    [Fact]
    public void AtZeroLocalizationTheEstimatorFallsBackToMala()
    {
        using var sampler = LlcEstimator.CreateSampler(SamplerKind.Pcnl, new DevInterp.Llc.Samplers.SamplerSettings(0.01, 10, 0));
        Assert.IsType<DevInterp.Llc.Samplers.MalaSampler>(sampler);
        Assert.Throws<ArgumentException>(() => new DevInterp.Llc.Samplers.PcnLangevinSampler(new DevInterp.Llc.Samplers.SamplerSettings(0.01, 10, 0)));
    }
}
