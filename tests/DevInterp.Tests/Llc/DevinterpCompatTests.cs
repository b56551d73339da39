using System.Globalization;
using DevInterp.Analysis;
using DevInterp.Checkpoints;
using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// Under <see cref="LlcCompat.Devinterp"/> our SGLD is the Python devinterp library's: the same update from the same
/// noise, the same nβ, L(w*) and λ̂ (fixture: Fixtures/llc/make_devinterp_sgld.py, run with real PyTorch).
/// </summary>
public class DevinterpCompatTests
{
    private sealed class Reference : IDisposable
    {
        private readonly ICheckpointReader _file = CheckpointFile.Open(TestPaths.Fixture("llc/devinterp_sgld.safetensors"));

        public double Get(string key) => double.Parse(_file.Metadata[key].ToString(), CultureInfo.InvariantCulture);

        public Tensor Tensor(string name) => _file.ReadTorch(name);

        public IChainPotential Potential()
        {
            var spec = ModelSpec.Parse(System.Text.Json.Nodes.JsonNode.Parse(_file.Metadata["model"].ToString())!.AsObject());
            var center = spec.Parameters.ToDictionary(p => p.Name, p => Tensor(p.Name));
            return CheckpointPotentials.Create(spec, center, new SupervisedData(Tensor("x"), Tensor("y")), new CrossEntropyChainLoss(),
                new CheckpointPotentialOptions(ScalarType.Float64));
        }

        /// <summary>A per-parameter tensor [chains, steps, ...shape] of the fixture as flat rows [chains, D] at one step.</summary>
        public Tensor Flat(IChainPotential potential, string prefix, long step) =>
            cat(potential.Parameters.Select(p => Tensor($"{prefix}.{p.Name}").select(1, step).flatten(1)).ToArray(), 1);

        public void Dispose() => _file.Dispose();
    }

    [Fact]
    public void OurUpdateFromTheSameNoiseIsTheReferenceUpdate()
    {
        using var scope = NewDisposeScope();
        using var reference = new Reference();
        using var potential = reference.Potential();
        double lr = reference.Get("lr"), gamma = reference.Get("localization");
        var options = new LlcOptions(Chains: 2, StepSize: lr, Localization: gamma).WithDevinterpConventions();
        long n = potential.SampleCount;
        double nBeta = options.ResolveNBeta(n, potential.Dimension);
        Assert.Equal(reference.Get("nbeta"), nBeta, 12);
        Assert.Equal(n, options.ResolveBatchSize(n, potential.Dimension));
        using var sampler = LlcEstimator.CreateSampler(options.Sampler, new DevInterp.Llc.Samplers.SamplerSettings(lr, nBeta, gamma), options.Integrator);

        var weights = reference.Flat(potential, "trajectory", 0);
        Assert.Equal(0, (weights - potential.Center.unsqueeze(0)).abs().max().item<double>());
        var gradient = zeros_like(weights);
        var losses = reference.Tensor("losses");
        for (int t = 0; t < losses.shape[1]; t++)
        {
            var ours = potential.Loss(weights, null, gradient);
            AssertClose(losses.select(1, t), ours, 1e-13, $"loss at step {t}");
            sampler.Step(new DevInterp.Llc.Samplers.ChainStep { Weights = weights, LossGradient = gradient, Center = potential.Center, Noise = reference.Flat(potential, "noise", t) });
            AssertClose(reference.Flat(potential, "trajectory", t + 1), weights, 1e-13, $"weights after step {t}");
        }
        // λ̂ per chain from the draws after burn-in and L(w*) on the full training set.
        int burnIn = (int)reference.Get("burn_in");
        double centerLoss = potential.Loss(potential.Center.unsqueeze(0), null, null).item<double>();
        Assert.Equal(reference.Get("init_loss"), centerLoss, 13);
        var lambda = nBeta * (losses.narrow(1, burnIn, losses.shape[1] - burnIn).mean([1]) - centerLoss);
        AssertClose(reference.Tensor("llc_per_chain"), lambda, 1e-12, "λ̂ per chain");
    }

    [Fact]
    public void TheEstimatorUnderTheMappingRunsTheReferenceLoop()
    {
        // The estimator with devinterp conventions equals a hand-written reference loop (Euler steps from the estimator's
        // own noise streams (one generator per chain), full batch, L(w*) once, exactly `draws` draws after burn-in, λ̂ = nβ·(mean L − L(w*))).
        using var scope = NewDisposeScope();
        using var reference = new Reference();
        using var potential = reference.Potential();
        const int chains = 3, draws = 7, burnIn = 4;
        const double lr = 0.004, gamma = 10;
        var options = new LlcOptions(Chains: chains, Draws: draws, BurnIn: burnIn, StepSize: lr, Localization: gamma, Seed: 5)
            .WithDevinterpConventions();
        var result = new LlcEstimator(options).Estimate(potential);

        long n = potential.SampleCount;
        double nBeta = n / Math.Log(n);
        Assert.Equal(nBeta, result.NBeta, 12);
        Assert.Equal(n, result.BatchSize);
        var generators = Enumerable.Range(0, chains).Select(c => new Generator(LlcEstimator.Mix(unchecked((long)LlcEstimator.Mix(5, 1)), (ulong)c))).ToArray();
        var center = potential.Center.unsqueeze(0);
        var w = center.expand(chains, -1).clone();
        var g = zeros_like(w);
        double centerLoss = potential.Loss(center, null, null).item<double>();
        var sums = new double[chains];
        for (int t = 0; t < burnIn + draws; t++)
        {
            var loss = potential.Loss(w, null, g).data<double>().ToArray();
            if (t >= burnIn)
                for (int c = 0; c < chains; c++) sums[c] += loss[c];
            var xi = stack(generators.Select(gen => empty([w.shape[1]], dtype: w.dtype).normal_(generator: gen)));
            w = w - lr / 2 * (nBeta * g + gamma * (w - center)) + Math.Sqrt(lr) * xi;
        }
        for (int c = 0; c < chains; c++)
        {
            Assert.Equal(draws, result.LossTraces[c].Length);
            Assert.All(result.CenterLossTraces[c], v => Assert.Equal(centerLoss, v, 14));
            Assert.Equal(nBeta * (sums[c] / draws - centerLoss), result.PerChain[c], 10);
        }
        foreach (var gen in generators) gen.Dispose();
    }

    [Fact]
    public void TheMappingSetsTheReferenceConventionsAndRefusesOthers()
    {
        var o = new LlcOptions(BatchSize: 100, NBeta: null).WithDevinterpConventions();
        Assert.Equal((LangevinIntegrator.EulerMaruyama, false, (double?)null), (o.Integrator, o.ControlVariates, o.TargetRelativeError));
        // With minibatches of m, the reference's default nβ is m / ln m (its default_nbeta(loader)); ours stays n / ln n.
        Assert.Equal(100 / Math.Log(100), o.ResolveNBeta(5000, 10), 12);
        Assert.Equal(5000 / Math.Log(5000), (o with { Compat = LlcCompat.None }).ResolveNBeta(5000, 10), 12);
        Assert.Equal(7.5, (o with { NBeta = 7.5 }).ResolveNBeta(5000, 10));
        Assert.Equal(5000, (o with { BatchSize = null }).ResolveBatchSize(5000, 1_000_000));
        var mixed = o with { Integrator = LangevinIntegrator.LeimkuhlerMatthews, StepSize = 1e-3 };
        Assert.Contains("compat devinterp", Assert.Throws<ArgumentException>(mixed.Validate).Message);
        // The analysis settings carry it (analysis.json "compat") and refuse unknown names.
        var settings = new LlcSettings(StepSize: 1e-3, Compat: "devinterp");
        Assert.Equal(LlcCompat.Devinterp, settings.ToOptions().Compat);
        Assert.Equal(LangevinIntegrator.EulerMaruyama, settings.ToOptions().Integrator);
        Assert.Equal(LlcCompat.None, new LlcSettings().ToOptions().Compat);
        Assert.Contains("not one of none, devinterp", Assert.Throws<ArgumentException>(() => new LlcSettings(Compat: "pymc").ToOptions()).Message);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        double scale = Math.Max(1, expected.abs().max().item<double>());
        double error = (expected - actual).abs().max().item<double>();
        Assert.True(error <= tolerance * scale, $"{what}: max difference {error:G3} (scale {scale:G3})");
    }
}
