using System.Globalization;
using DevInterp.Analysis;
using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using DevInterp.Llc.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace DevInterp.Bench;

/// <summary>
/// What the estimator converges to: nβ·E[L_n(w) − L_n(w*)] under the localized tempered posterior
/// exp(−nβ·L_n(w) − γ/2·‖w − w*‖²) of a validation deep linear network, from chains long enough to equilibrate
/// (full-batch exact gradients, fixed small ε, no calibration), for a grid of γ. The loss comes from sufficient
/// statistics (<see cref="GramDlnPotential"/>), so each step costs a few small matrix products whatever n is.
/// Also the same expectation for the normal crossings by 2-D quadrature (<c>nc-quadrature</c>).
/// Usage: llc-equilibrium WIDTHS RANK [GAMMAS] [N] [DRAWS] [THIN] [EPS·nβ] [SAMPLER]  e.g. llc-equilibrium 10,8,8,10 2 0.1,1,3,10
///        nc-quadrature A B [N]
/// </summary>
public static class LlcEquilibriumBench
{
    /// <summary>Runs the mode.</summary>
    public static int Run(string[] args)
    {
        torch.set_num_threads(1);
        var widths = args[1].Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();
        int rank = int.Parse(args[2], CultureInfo.InvariantCulture);
        var gammas = (args.Length > 3 ? args[3] : "0.1,1,3,10,30").Split(',').Select(g => double.Parse(g, CultureInfo.InvariantCulture)).ToArray();
        long n = args.Length > 4 ? long.Parse(args[4], CultureInfo.InvariantCulture) : 10_000;
        int draws = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 3000;
        int thin = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 10;
        double epsNBeta = args.Length > 7 ? double.Parse(args[7], CultureInfo.InvariantCulture) : 0.1;
        var sampler = args.Length > 8 ? LlcSettings.ParseSampler(args[8]) : SamplerKind.Sgld;
        double lambda = AoyagiFormula.LearningCoefficient(widths, rank);
        double nBeta = LlcOptions.DefaultNBeta(n);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"llc-equilibrium: widths [{args[1]}], rank {rank}, λ = {lambda:G6}, n = {n}, nβ = {nBeta:F1}, ε = {epsNBeta}/nβ, {draws} draws × {thin} steps, 8 chains, {sampler}"));
        foreach (double gamma in gammas)
        {
            using var scope = NewDisposeScope();
            using var gen = new Generator(1234);
            var center = LlcValidationSuite.RankTeacher(widths, rank, gen);
            using var potential = new GramDlnPotential(widths, center, n);
            var options = new LlcOptions(Chains: 8, Draws: draws, BurnIn: 0, StepsBetweenDraws: thin, StepSize: epsNBeta / nBeta,
                Localization: gamma, TargetRelativeError: null, MaxDraws: draws, Sampler: sampler);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var result = new LlcEstimator(options).Estimate(potential);
            var traces = result.LambdaTraces;
            // Tenths of the run, chain-averaged: equilibrium when the last ones agree.
            var tenths = Enumerable.Range(0, 10).Select(b => traces.Average(t => t.Skip(b * draws / 10).Take(draws / 10).Average())).ToArray();
            double secondHalf = traces.Average(t => t.Skip(draws / 2).Average());
            var pooled = traces.SelectMany(t => t.Skip(draws / 2)).ToArray();
            double pooledMean = pooled.Average();
            double dispersion = pooled.Sum(v => (v - pooledMean) * (v - pooledMean)) / (pooled.Length - 1) / pooledMean;
            var sorted = pooled.Order().ToArray();
            double median = sorted[sorted.Length / 2], max = sorted[^1];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  γ = {gamma,-5}: second half {secondHalf,9:F2} ({(secondHalf - lambda) / lambda,7:P1} from λ), R̂ {result.Diagnostics.RHat:F3}, " +
                $"acceptance {(result.Acceptance is { } acc ? acc.Average().ToString("F3", CultureInfo.InvariantCulture) : "–")}, median draw {median:F2}, max {max:F1}, Var/mean {dispersion:F2}, " +
                $"tenths {string.Join(" ", tenths.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))}, {watch.Elapsed.TotalSeconds:F0} s"));
        }
        return 0;
    }

    /// <summary>nβ·E[K] for K = ½·w₁^{2a}·w₂^{2b} under exp(−nβK − γ/2‖w‖²) by quadrature on a sinh-spaced grid.</summary>
    public static int Quadrature(string[] args)
    {
        int a = int.Parse(args[1], CultureInfo.InvariantCulture), b = int.Parse(args[2], CultureInfo.InvariantCulture);
        long n = args.Length > 3 ? long.Parse(args[3], CultureInfo.InvariantCulture) : 10_000;
        double nBeta = LlcOptions.DefaultNBeta(n), lambda = 1.0 / (2 * Math.Max(a, b));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nc-quadrature: y = w1^{a} w2^{b} x, λ = {lambda:G4}, n = {n}, nβ = {nBeta:F1}"));
        foreach (double gamma in new[] { 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30 })
        {
            const int m = 3000;
            double range = 8 / Math.Sqrt(gamma), alpha = 12;
            var w = new double[m];
            var dw = new double[m];
            for (int i = 0; i < m; i++)
            {
                double t = (i + 0.5) / m;
                w[i] = range * Math.Sinh(alpha * t) / Math.Sinh(alpha);
                dw[i] = range * alpha * Math.Cosh(alpha * t) / Math.Sinh(alpha) / m;
            }
            double z = 0, e = 0;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++)
                {
                    double k = 0.5 * Math.Pow(w[i], 2 * a) * Math.Pow(w[j], 2 * b) * nBeta;
                    double p = Math.Exp(-k - gamma / 2 * (w[i] * w[i] + w[j] * w[j])) * dw[i] * dw[j];
                    z += p;
                    e += p * k;
                }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  γ = {gamma,-5}: nβ·E[K] = {e / z:F4} ({(e / z - lambda) / lambda:P1} from λ)"));
        }
        return 0;
    }
}

/// <summary>
/// L_n of a deep linear network on data whose noise is orthogonal to the inputs, from sufficient statistics:
/// L_n(W) − L_n(W*) = ½·tr((P − A)·Σ·(P − A)ᵀ)/σ² with P = W_L⋯W_1, A the teacher's product and Σ the inputs'
/// second moment (here the identity, its population value; σ = 1). Exact, and each call costs products of the layer
/// widths instead of a pass over n samples. The loss returned is the offset from w* (L_n(W*) = 0).
/// </summary>
public sealed class GramDlnPotential : IChainPotential
{
    private readonly Tensor _teacher;

    /// <summary>Creates the potential around <paramref name="center"/> (parameters <c>layers.{i}.weight</c>).</summary>
    public GramDlnPotential(int[] widths, IReadOnlyDictionary<string, Tensor> center, long n)
    {
        SampleCount = n;
        var parameters = new List<SampledParameter>();
        long offset = 0;
        for (int i = 0; i + 1 < widths.Length; i++)
        {
            parameters.Add(new SampledParameter($"layers.{i}.weight", [widths[i + 1], widths[i]], offset));
            offset += (long)widths[i + 1] * widths[i];
        }
        Parameters = parameters;
        Dimension = offset;
        using var scope = NewDisposeScope();
        Center = cat(parameters.Select(p => center[p.Name].to_type(ScalarType.Float64).flatten()).ToArray()).MoveToOuterDisposeScope().DetachFromDisposeScope();
        var product = center["layers.0.weight"].to_type(ScalarType.Float64);
        for (int i = 1; i + 1 < widths.Length; i++) product = matmul(center[$"layers.{i}.weight"].to_type(ScalarType.Float64), product);
        _teacher = product.MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public IReadOnlyList<SampledParameter> Parameters { get; }

    /// <inheritdoc />
    public long Dimension { get; }

    /// <inheritdoc />
    public long SampleCount { get; }

    /// <inheritdoc />
    public Tensor Center { get; }

    /// <inheritdoc />
    public Tensor Loss(Tensor weights, Tensor? batchIndices, Tensor? gradient)
    {
        using var scope = NewDisposeScope();
        long chains = weights.shape[0];
        var w = weights.detach().clone().requires_grad_(gradient is not null);
        Tensor? product = null;
        foreach (var p in Parameters)
        {
            var layer = w.narrow(1, p.Offset, p.Count).view(chains, p.Shape[0], p.Shape[1]);
            product = product is null ? layer : bmm(layer, product);
        }
        var error = product! - _teacher.unsqueeze(0);
        var loss = 0.5 * (error * error).sum([1, 2]);
        if (gradient is not null)
        {
            loss.sum().backward();
            gradient.copy_(w.grad!);
        }
        return loss.detach().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Center.Dispose();
        _teacher.Dispose();
    }
}
