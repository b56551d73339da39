using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// MALA samples exp(−nβL − γ/2·w²) exactly at any step size: on a quartic well (where the draws nβL are Gamma(¼, 1)-like
/// and no unadjusted Langevin integrator is exact) its estimate matches 1-D quadrature at a step size where SGLD is
/// off, and a chain cannot leave through a proposal with a non-finite loss.
/// </summary>
public class MalaSamplerTests
{
    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)] // the managed kernel's passes (MalaKernel)
    public void MalaMatchesQuadratureOnAQuarticWellWhereSgldIsBiased(ScalarType dtype)
    {
        const double gamma = 0.1, curvature = 1;
        const long n = 100;
        double nBeta = LlcOptions.DefaultNBeta(n);
        double exact = 4 * QuarticWell.Quadrature(nBeta, curvature, gamma);
        // At this step size the draws' typical curvature 3·nβ·w² times ε is about 1.5: Euler–Maruyama SGLD's
        // stationary distribution is then visibly too wide.
        var options = new LlcOptions(Chains: 8, Draws: 5000, BurnIn: 200, StepSize: 0.05, Localization: gamma,
            TargetRelativeError: null, Seed: 3, Sampler: SamplerKind.Mala);
        using var potential = new QuarticWell(4, curvature, n, dtype);
        var mala = new LlcEstimator(options).Estimate(potential);
        var sgld = new LlcEstimator(options with { Sampler = SamplerKind.Sgld, Integrator = LangevinIntegrator.EulerMaruyama }).Estimate(potential);
        double se = DevInterp.Llc.Diagnostics.ChainDiagnostics.MeanStandardError(mala.LambdaTraces);

        Assert.True(Math.Abs(mala.Mean - exact) < 4 * se, $"MALA {mala.Mean:F4} ± {se:F4}, quadrature {exact:F4}");
        Assert.True(Math.Abs(sgld.Mean - exact) > 10 * se, $"Euler SGLD {sgld.Mean:F4} should be off quadrature {exact:F4} at this step size");
        Assert.InRange(mala.Diagnostics.Acceptance, 0.2, 0.95);
        Assert.All(mala.Acceptance!, a => Assert.InRange(a, 0.2, 0.95));
        Assert.Equal(mala.Diagnostics.Acceptance, mala.Acceptance!.Average(), 12);
        Assert.Null(sgld.Acceptance);
        // Per draw, the acceptance of the one step that led to it: 1 or 0 for a full step, NaN for a step drawn from the
        // step-size range (those do not count towards the rate); a chain's rate is the mean of its full steps.
        Assert.All(mala.AcceptanceTraces!, t => Assert.All(t, a => Assert.True(a is 0 or 1 || double.IsNaN(a))));
        Assert.All(mala.AcceptanceTraces!, t => Assert.InRange(t.Count(double.IsNaN) / (double)t.Length, 0.4, 0.6));
        for (int c = 0; c < options.Chains; c++)
            Assert.Equal(mala.AcceptanceTraces![c].Where(a => !double.IsNaN(a)).Average(), mala.Acceptance![c], 12);
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void AProposalOutsideTheBoundingBoxIsRejected(ScalarType dtype)
    {
        var options = new LlcOptions(Chains: 4, Draws: 400, BurnIn: 0, StepSize: 0.05, Localization: 1, BoundingBox: 0.3,
            TargetRelativeError: null, Seed: 5, Sampler: SamplerKind.Mala);
        using var potential = new QuarticWell(3, 1, 10, dtype);
        var result = new LlcEstimator(options).Estimate(potential);
        // nβL ≤ 3 coordinates × nβ·0.3⁴/4 inside the box.
        double bound = 3 * result.NBeta * Math.Pow(0.3, 4) / 4;
        Assert.All(result.LambdaTraces, t => Assert.All(t, z => Assert.True(z <= bound + 1e-12, $"draw {z} outside the box")));
        Assert.True(result.Diagnostics.Acceptance < 0.95, "some proposals leave the box and are rejected");
    }

    [Theory]
    [InlineData(1.0, 1, false)]
    [InlineData(1000.0, 1, false)]
    [InlineData(1000.0, 2, false)]
    [InlineData(1.0, 1, true)]
    [InlineData(1000.0, 2, true)]
    public void TheKernelsStepEqualsTheTorchOperations(double stepSizeRange, int threads, bool crankNicolson)
    {
        // float32 chains of 37 values (two 16-wide blocks and a tail); the same draws in the same order on both paths.
        const int chains = 5, dimension = 37, steps = 60;
        using var scope = NewDisposeScope();
        using var potential = new QuarticWell(dimension, 1, 50, ScalarType.Float32);
        var settings = new DevInterp.Llc.Samplers.SamplerSettings(0.02, 20, 0.5, stepSizeRange);
        int saved = get_num_threads();
        set_num_threads(threads);
        try
        {
            var runs = new[] { true, false }.Select(kernel =>
            {
                using DevInterp.Llc.Samplers.IChainSampler sampler = crankNicolson
                    ? new DevInterp.Llc.Samplers.PcnLangevinSampler(settings) { UseKernel = kernel }
                    : new DevInterp.Llc.Samplers.MalaSampler(settings) { UseKernel = kernel };
                var weights = 0.3f * randn([chains, dimension], generator: new Generator(7));
                var gradient = zeros_like(weights);
                var loss = potential.Loss(weights, null, gradient).to_type(ScalarType.Float64);
                var noiseGenerator = new Generator(8);
                var step = new DevInterp.Llc.Samplers.ChainStep
                {
                    Weights = weights, LossGradient = gradient, Center = potential.Center, Noise = zeros_like(weights), Loss = loss,
                    Random = new Generator(9), Evaluate = (w, g) => potential.Loss(w, null, g).to_type(ScalarType.Float64),
                };
                var outcomes = new List<Tensor>();
                for (int i = 0; i < steps; i++)
                {
                    step.Noise.normal_(generator: noiseGenerator);
                    outcomes.Add(sampler.Step(step)!);
                }
                return (Weights: weights, Gradient: gradient, Loss: loss, Outcomes: stack(outcomes));
            }).ToList();
            var (kernelRun, torchRun) = (runs[0], runs[1]);
            Assert.True(kernelRun.Outcomes.nan_to_num(-1).eq(torchRun.Outcomes.nan_to_num(-1)).all().item<bool>(), "the same proposals accepted");
            Assert.True(torchRun.Outcomes.nan_to_num(0).sum().item<double>() > steps, "some proposals accepted");
            Assert.True(torchRun.Outcomes.eq(0).any().item<bool>(), "some proposals rejected");
            Assert.True((kernelRun.Weights - torchRun.Weights).abs().max().item<float>() < 1e-5f, "the same chains");
            Assert.True((kernelRun.Gradient - torchRun.Gradient).abs().max().item<float>() < 1e-4f, "the same gradients");
            Assert.True((kernelRun.Loss - torchRun.Loss).abs().max().item<double>() < 1e-5, "the same losses");
        }
        finally
        {
            set_num_threads(saved);
        }
    }
}
