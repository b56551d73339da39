using DevInterp.Llc.Potentials;
using DevInterp.Llc.Samplers;
using TorchSharp;

namespace DevInterp.Llc;

/// <summary>
/// Estimates the local learning coefficient at a checkpoint: C chains sample the tempered, localized posterior around
/// w* and λ̂ = nβ · (E_chain[L(w_t)] − L(w*)). L(w*) is measured on exactly the data each draw saw (the same minibatch,
/// evaluated at w*; or the full training set in full-batch mode), so minibatch-to-minibatch loss differences do not
/// enter the estimate. A chain whose loss becomes NaN/Inf or blows up is dropped and reported; the estimate goes on
/// with the rest.
/// </summary>
public sealed class LlcEstimator(LlcOptions options)
{
    /// <summary>The options.</summary>
    public LlcOptions Options { get; } = options;

    /// <summary>Most times a calibrated step size is lowered because the estimate's acceptance fell below the band.</summary>
    public const int MaxRetunes = 4;

    /// <summary>
    /// Runs the chains on a potential. With no step size in the options, calibrates one first and starts the chains where
    /// the calibration's chosen point left them. For a Metropolis-adjusted sampler the calibration's short chains see the
    /// acceptance near w*; chains that then spread into stiffer regions (along the flat directions of a singular model)
    /// accept less at the same ε. When the estimate's acceptance falls below the calibration band, ε is lowered
    /// (towards the band's target by MALA's acceptance scaling, by ×0.1 to ×0.75) and the chains run again from where
    /// they are, at most <see cref="MaxRetunes"/> times; the draws of the last run make the estimate.
    /// </summary>
    public LlcResult Estimate(IChainPotential potential, IProgress<LlcProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(potential);
        Options.Validate();
        if (Options.StepSize is not null) return Run(potential, Options, "given", progress, cancel);
        var calibrationOptions = CalibrationOptions.For(Options);
        using var state = torch.empty([Options.Chains, potential.Dimension], dtype: potential.Center.dtype).DetachFromDisposeScope();
        var calibration = new LlcCalibrator(calibrationOptions).Calibrate(potential, progress, cancel, state, out bool warm);
        double eps = calibration.Chosen;
        var result = Run(potential, Options with { StepSize = eps }, "calibrated", progress, cancel, start: warm ? state : null, finalWeights: state);
        for (int retune = 0; retune < MaxRetunes && result.Diagnostics.Acceptance < calibrationOptions.AcceptanceLow
            && result.Diagnostics.Dropped.Count == 0; retune++)
        {
            eps *= Math.Clamp(AcceptanceScaling(result.Diagnostics.Acceptance, calibrationOptions.AcceptanceTarget), 0.1, 0.75);
            result = Run(potential, Options with { StepSize = eps }, "calibrated", progress, cancel, start: state, finalWeights: state);
        }
        bool settled = !(result.Diagnostics.Acceptance < calibrationOptions.AcceptanceLow || result.Diagnostics.Acceptance > calibrationOptions.AcceptanceHigh);
        return calibration.Confident || (settled && !double.IsNaN(result.Diagnostics.Acceptance)) ? result : WithCalibrationWarning(result, calibration);
    }

    // The factor on ε that MALA's asymptotic acceptance 2Φ(−K·ε^(3/2)) predicts from acceptance a to the target.
    private static double AcceptanceScaling(double acceptance, double target)
    {
        double now = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, Math.Max(acceptance, 1e-12) / 2);
        double wanted = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, target / 2);
        return Math.Pow(wanted / now, 2.0 / 3);
    }

    /// <summary>An estimate whose step size came from a calibration fallback is at best doubtful, and says why.</summary>
    internal static LlcResult WithCalibrationWarning(LlcResult result, CalibrationResult calibration)
    {
        var d = result.Diagnostics;
        var verdict = d.Verdict == LlcVerdict.Untrusted ? LlcVerdict.Untrusted : LlcVerdict.Doubtful;
        return result with { Diagnostics = d with { Verdict = verdict, Reasons = [.. d.Reasons, $"calibration: {calibration.Reason}"] } };
    }

    // Multiply-adds per chain and step (batch × sampled values) up to which chains and w* are evaluated in one call.
    private const long TogetherBudget = 1L << 18;

    /// <summary>Runs the chains with the options' step size (which must be set).</summary>
    internal static LlcResult Run(IChainPotential potential, LlcOptions o, string stepSizeSource,
        IProgress<LlcProgress>? progress, CancellationToken cancel, string phase = "sampling",
        torch.Tensor? start = null, torch.Tensor? finalWeights = null)
    {
        double eps = o.StepSize ?? throw new ArgumentException("step size is not set");
        long n = potential.SampleCount;
        int chains = o.Chains;
        long dim = potential.Dimension;
        double nBeta = o.ResolveNBeta(n, dim);
        var settings = new SamplerSettings(eps, nBeta, o.Localization, o.StepSizeRange);
        double blowUp = 100.0 * dim + 1000; // far above any equilibrium value of nβ(L − L*) (which averages λ ≤ d/2)

        var lossTraces = Enumerable.Range(0, chains).Select(_ => new List<double>(o.Draws)).ToArray();
        var centerTraces = Enumerable.Range(0, chains).Select(_ => new List<double>(o.Draws)).ToArray();
        var dropped = new List<DroppedChain>();
        var alive = Enumerable.Repeat(true, chains).ToArray();

        using var sampler = CreateSampler(o.Sampler, settings, o.Integrator);
        if (potential is IFullBatchPotential && o.BatchSize is { } asked && asked < n)
            throw new ArgumentException($"batch size {asked}: this potential evaluates the whole training set from sufficient statistics and has no minibatches");
        long batchSize = potential is IFullBatchPotential ? n : o.ResolveBatchSize(n, dim);
        using var batches = new MinibatchSchedule(n, (int)Math.Min(batchSize, int.MaxValue), chains, Mix(o.Seed, 2));
        var center = potential.Center;
        bool controlVariates = !batches.FullBatch && o.ControlVariates;
        // A Metropolis-adjusted sampler evaluates the potential at its proposals. On minibatches its test uses the
        // control-variate loss of the step's batch; without control variates that loss carries the first-order minibatch
        // noise, which would make the test reject nearly every step.
        bool adjusted = sampler.Adjusted;
        if (adjusted && !batches.FullBatch && !controlVariates)
            throw new ArgumentException($"sampler {o.Sampler.ToString().ToLowerInvariant()} with minibatches needs control variates: turn them on, use the full batch, or choose an unadjusted sampler (sgld)");
        using var acceptGenerator = adjusted ? new torch.Generator(Mix(o.Seed, 3)) : null;
        // With control variates every step needs L_b and ∇L_b at the chains and at w* on the same batches. For a small
        // model, where a call's fixed cost dominates, rows C…2C−1 of the state hold copies of w* and one call evaluates
        // both; a larger model runs faster as two calls of half the size (smaller working set).
        bool together = controlVariates && batches.BatchSize * dim <= TogetherBudget;
        int rows = together ? 2 * chains : chains;
        using var state = torch.empty([rows, dim], dtype: center.dtype, device: center.device).DetachFromDisposeScope();
        using var stateGradient = torch.zeros_like(state).DetachFromDisposeScope();
        // Chains start at w*, or at given positions (a warm start from an earlier run at a nearby step size).
        using var weights = state.narrow(0, 0, chains).DetachFromDisposeScope();
        weights.copy_(start ?? center.unsqueeze(0).expand(chains, dim));
        using var gradient = stateGradient.narrow(0, 0, chains).DetachFromDisposeScope();
        using var centerGradient = !controlVariates ? null
            : together ? stateGradient.narrow(0, chains, chains).DetachFromDisposeScope() : torch.zeros_like(weights).DetachFromDisposeScope();
        if (together) state.narrow(0, chains, chains).copy_(center.unsqueeze(0).expand(chains, dim));
        using var noise = torch.zeros_like(weights).DetachFromDisposeScope(); // refilled in place every step
        using var noiseRows = new ChainNoise(noise, Mix(o.Seed, 1));
        using var centers = center.unsqueeze(0).expand(chains, dim).DetachFromDisposeScope();
        double[]? fullCenterLoss = null;
        // The devinterp library measures L(w*) once, not on each draw's batch (docs/llc.md, "Matching the devinterp library").
        if (batches.FullBatch || o.Compat == LlcCompat.Devinterp)
        {
            using var scope = torch.NewDisposeScope();
            fullCenterLoss = ReadVector(potential.Loss(centers, null, null));
        }
        // Control variate for minibatch draws: ∇L_b(w*) − ∇L_n(w*) has mean zero over independent batches, so
        // subtracting its inner product with (w_t − w*) leaves the expectation unchanged and removes the first-order
        // minibatch noise of L_b(w_t) − L_b(w*), which otherwise dominates each draw.
        using var fullCenterGradient = controlVariates ? FullGradient(potential).DetachFromDisposeScope() : null;
        var controlTraces = Enumerable.Range(0, chains).Select(_ => new List<double>(o.Draws)).ToArray();
        // ‖w_t − w*‖² per draw: chains still moving away from w* at the end have not reached the localized posterior,
        // whatever their λ trace says (slow spreading along flat directions raises or lowers λ̂ later).
        var spreadTraces = Enumerable.Range(0, chains).Select(_ => new List<double>(o.Draws)).ToArray();
        // Per draw, the fraction of proposals accepted since the previous draw (adjusted samplers only).
        var acceptanceTraces = adjusted ? Enumerable.Range(0, chains).Select(_ => new List<double>(o.Draws)).ToArray() : null;
        // Without control variates, L_b(w*) is only needed on draws: a potential that knows its per-sample loss at w*
        // gives it without a forward pass.
        var centerLookup = controlVariates ? null : potential as ICenterLossLookup;
        using var lower = o.BoundingBox is { } lowBox ? (center - lowBox).DetachFromDisposeScope() : null;
        using var upper = o.BoundingBox is { } highBox ? (center + highBox).DetachFromDisposeScope() : null;
        var noControl = new double[chains];

        // The loss at the chains on the step's data ([C], float64) and the acceptances of the current window: an
        // adjusted sampler's state. Each draw's window is the (up to) StepsBetweenDraws steps that led to it; a chain's
        // acceptance rate is the total over its draws' windows.
        using var currentLoss = adjusted ? torch.zeros([chains], dtype: torch.ScalarType.Float64).DetachFromDisposeScope() : null;
        using var acceptedSinceDraw = adjusted ? torch.zeros([chains], dtype: torch.ScalarType.Float64).DetachFromDisposeScope() : null;
        using var countedSinceDraw = adjusted ? torch.zeros([chains], dtype: torch.ScalarType.Float64).DetachFromDisposeScope() : null;
        int stepsSinceDraw = 0;
        long firstWindow = Math.Max(0, o.BurnIn - o.StepsBetweenDraws);
        var chainStep = new ChainStep
        {
            Weights = weights, LossGradient = gradient, Center = center, Noise = noise, Loss = currentLoss,
            Random = acceptGenerator, Lower = adjusted ? lower : null, Upper = adjusted ? upper : null,
        };
        ChainEvaluator fullBatchEvaluator = (w, g) => potential.Loss(w, null, g).to_type(torch.ScalarType.Float64);
        // Full batch, adjusted: after a step the sampler's loss and gradient are those at the new weights, and the data do
        // not change, so the next step needs no evaluation of its own.
        bool current = false;

        long total = o.TotalSteps;
        long maxTotal = o.TargetRelativeError is null ? total : o.BurnIn + (long)o.MaxDraws * o.StepsBetweenDraws;
        int draw = 0, discarded = 0;
        int checkEvery = Math.Max(50, o.Draws / 2);
        long reportEvery = Math.Max(1, total / 200);
        for (long step = 0; step < total; step++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var indices = batches.Next();
            bool isDraw = step >= o.BurnIn && (step - o.BurnIn) % o.StepsBetweenDraws == 0;
            torch.Tensor losses;
            torch.Tensor? centerLosses = null;
            bool evaluate = !(adjusted && batches.FullBatch && current);
            if (!evaluate)
            {
                losses = currentLoss!;
            }
            else if (together)
            {
                var both = potential.Loss(state, torch.cat([indices!, indices!]), stateGradient);
                losses = both.narrow(0, 0, chains);
                centerLosses = both.narrow(0, chains, chains);
            }
            else if (controlVariates)
            {
                losses = potential.Loss(weights, indices, gradient);
                centerLosses = potential.Loss(centers, indices, centerGradient);
            }
            else
            {
                losses = potential.Loss(weights, indices, gradient);
                if (indices is not null && isDraw && fullCenterLoss is null)
                    centerLosses = centerLookup is not null ? centerLookup.CenterLoss(indices) : potential.Loss(centers, indices, null);
            }
            var newlyDropped = false;
            if (isDraw)
            {
                var l = ReadVector(losses);
                var lc = fullCenterLoss ?? ReadVector(centerLosses!);
                // w − w* at the weights the loss was measured at: for the control variate (∇L_b(w*) − ∇L_n(w*))·(w − w*)
                // and for ‖w − w*‖².
                var offset = weights.sub(center);
                var cv = controlVariates
                    ? ReadVector(centerGradient!.sub(fullCenterGradient!).mul_(offset).sum(1))
                    : noControl;
                var spread = ReadVector(offset.mul_(offset).sum(1));
                var acceptance = adjusted && stepsSinceDraw > 0 ? ReadVector(acceptedSinceDraw!) : null;
                var counted = acceptance is not null ? ReadVector(countedSinceDraw!) : null;
                for (int c = 0; c < chains; c++)
                {
                    spreadTraces[c].Add(spread[c]);
                    lossTraces[c].Add(l[c]);
                    centerTraces[c].Add(lc[c]);
                    controlTraces[c].Add(cv[c]);
                    acceptanceTraces?[c].Add(acceptance is null || counted![c] == 0 ? double.NaN : acceptance[c] / counted[c]);
                    if (!alive[c]) continue;
                    string? bad = !double.IsFinite(l[c]) ? "non-finite loss"
                        : nBeta * (l[c] - lc[c] - cv[c]) > blowUp ? $"loss blow-up: nβ(L − L*) = {nBeta * (l[c] - lc[c] - cv[c]):G3}" : null;
                    if (bad is not null)
                    {
                        alive[c] = false;
                        dropped.Add(new DroppedChain(c, step, bad));
                        newlyDropped = true;
                    }
                }
                if (adjusted)
                {
                    acceptedSinceDraw!.zero_();
                    countedSinceDraw!.zero_();
                    stepsSinceDraw = 0;
                }
                draw++;
            }
            if (adjusted)
            {
                if (evaluate)
                {
                    // The loss the Metropolis test compares: L_n(w) in full batch; on a minibatch the control-variate loss
                    // L_b(w) − (∇L_b(w*) − ∇L_n(w*))·(w − w*), whose gradient is the control-variate gradient below.
                    var value = losses.to_type(torch.ScalarType.Float64);
                    if (controlVariates)
                    {
                        var cvGradient = centerGradient!.sub(fullCenterGradient!);
                        gradient.sub_(cvGradient);
                        value.sub_(cvGradient.mul(weights.sub(center)).sum([1], type: torch.ScalarType.Float64));
                        var batch = indices!;
                        chainStep.Evaluate = (w, g) =>
                        {
                            var proposed = potential.Loss(w, batch, g).to_type(torch.ScalarType.Float64);
                            g.sub_(cvGradient);
                            return proposed.sub_(cvGradient.mul(w.sub(center)).sum([1], type: torch.ScalarType.Float64));
                        };
                    }
                    else
                    {
                        chainStep.Evaluate = fullBatchEvaluator;
                    }
                    currentLoss!.copy_(value);
                }
            }
            else if (controlVariates)
            {
                gradient.sub_(centerGradient!).add_(fullCenterGradient!, Scalars.One);
            }
            noiseRows.Fill();
            if (adjusted && step == firstWindow)
            {
                acceptedSinceDraw!.zero_(); // the first draw's window starts here (the burn-in before it is not counted)
                countedSinceDraw!.zero_();
                stepsSinceDraw = 0;
            }
            var accepted = sampler.Step(chainStep);
            if (accepted is not null)
            {
                var counts = accepted.isfinite();
                acceptedSinceDraw!.add_(accepted.nan_to_num_(0.0));
                countedSinceDraw!.add_(counts);
                stepsSinceDraw++;
            }
            current = true;
            if (!adjusted && lower is not null) weights.clamp_(lower, upper!);
            if (dropped.Count > 0 && (!adjusted || newlyDropped))
            {
                // Dropped chains go back to w* (and, for an unadjusted sampler, stay there), so their numbers cannot spoil
                // the batched computation. An adjusted sampler evaluates the potential anew there.
                foreach (var d in dropped)
                {
                    weights[d.Chain].copy_(center);
                    sampler.Reset(d.Chain);
                }
                current = false;
            }
            // Adaptive length: past the minimum, extend by blocks until λ̂ has stopped drifting and is as precise as asked.
            // While the two halves of the draws disagree, the first half was still burn-in: it is dropped.
            if (step == total - 1 && total < maxTotal)
            {
                var traces = new[] { lossTraces, centerTraces, controlTraces, spreadTraces }.Concat(acceptanceTraces is null ? [] : [acceptanceTraces]);
                bool drifting = Drifting(lossTraces, centerTraces, controlTraces, alive, nBeta, o.TargetRelativeError!.Value);
                if (drifting)
                {
                    int half = lossTraces[0].Count / 2;
                    foreach (var kind in traces)
                        foreach (var t in kind) t.RemoveRange(0, half);
                    discarded += half;
                }
                // Blocks grow with the draws (by half of them, at least checkEvery), so a long run checks O(log) times.
                if (drifting || !Precise(lossTraces, centerTraces, controlTraces, alive, nBeta, o.TargetRelativeError!.Value))
                    total = Math.Min(maxTotal, total + (long)Math.Max(checkEvery, lossTraces[0].Count / 2) * o.StepsBetweenDraws);
            }
            if (progress is not null && (step % reportEvery == 0 || step == total - 1))
                progress.Report(new LlcProgress(step + 1, total, phase));
        }

        finalWeights?.copy_(weights);
        var healthy = Enumerable.Range(0, chains).Where(c => alive[c]).ToList();
        var perChain = new double[chains];
        for (int c = 0; c < chains; c++)
            perChain[c] = alive[c] ? nBeta * (lossTraces[c].Average() - centerTraces[c].Average() - controlTraces[c].Average()) : double.NaN;
        double mean = healthy.Count > 0 ? healthy.Average(c => perChain[c]) : double.NaN;
        double std = healthy.Count > 1 ? Math.Sqrt(healthy.Sum(c => Math.Pow(perChain[c] - mean, 2)) / (healthy.Count - 1)) : double.NaN;
        double centerLoss = healthy.Count > 0 ? healthy.Average(c => centerTraces[c].Average()) : centerTraces.Average(t => t.Average());
        var lambdaTraces = healthy.Select(c => LambdaTrace(lossTraces[c], centerTraces[c], controlTraces[c], nBeta)).ToList();
        var healthySpread = healthy.Select(c => spreadTraces[c].ToArray()).ToList();
        // A chain's acceptance rate: the mean over its draws of the acceptance in each draw's window.
        double[]? acceptanceRates = acceptanceTraces?.Select(t => t.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average()).ToArray();
        var diagnostics = LlcVerdicts.Assess(lambdaTraces, mean, chains, dropped, healthySpread,
            acceptanceRates is null ? null : healthy.Select(c => acceptanceRates[c]).ToList(), !batches.FullBatch);
        return new LlcResult(mean, std, perChain, centerLoss, nBeta, eps, stepSizeSource, o.Localization, n, dim,
            batches.BatchSize, lossTraces.Select(t => t.ToArray()).ToList(), centerTraces.Select(t => t.ToArray()).ToList(),
            controlTraces.Select(t => t.ToArray()).ToList(), diagnostics, o, spreadTraces.Select(t => t.ToArray()).ToList(),
            acceptanceRates, acceptanceTraces?.Select(t => t.ToArray()).ToList(), discarded);
    }

    private static double[] LambdaTrace(List<double> loss, List<double> center, List<double> control, double nBeta)
    {
        var z = new double[loss.Count];
        for (int i = 0; i < z.Length; i++) z[i] = nBeta * (loss[i] - center[i] - control[i]);
        return z;
    }

    // True when the healthy chains' λ̂ still moves: the means of the two halves of the draws differ by more than 2.5
    // standard errors and by more than half the precision target (a smaller difference is below what is asked for).
    private static bool Drifting(List<double>[] loss, List<double>[] center, List<double>[] control, bool[] alive,
        double nBeta, double target)
    {
        var traces = Enumerable.Range(0, loss.Length).Where(c => alive[c])
            .Select(c => LambdaTrace(loss[c], center[c], control[c], nBeta)).ToList();
        if (traces.Count < 2 || traces[0].Length < 16) return false;
        if (traces.Any(t => t.Any(v => !double.IsFinite(v)))) return false;
        int half = traces[0].Length / 2;
        var first = traces.Select(t => t[..half]).ToList();
        var second = traces.Select(t => t[^half..]).ToList();
        double difference = second.Average(t => t.Average()) - first.Average(t => t.Average());
        double se = Math.Sqrt(Math.Pow(Diagnostics.ChainDiagnostics.MeanStandardError(first), 2) + Math.Pow(Diagnostics.ChainDiagnostics.MeanStandardError(second), 2));
        double mean = traces.Average(t => t.Average());
        // Clearly negative: w* is not a minimum and the chains descend; more burn-in cannot make the estimate meaningful.
        if (mean + 2 * Diagnostics.ChainDiagnostics.MeanStandardError(traces) < 0) return false;
        return Math.Abs(difference) > 2.5 * se && Math.Abs(difference) > 0.5 * target * Math.Abs(mean);
    }

    // True when the Monte Carlo standard error of λ̂ over the healthy chains is within the target fraction of λ̂.
    private static bool Precise(List<double>[] loss, List<double>[] center, List<double>[] control, bool[] alive,
        double nBeta, double target)
    {
        var traces = Enumerable.Range(0, loss.Length).Where(c => alive[c])
            .Select(c => LambdaTrace(loss[c], center[c], control[c], nBeta)).ToList();
        if (traces.Count < 2 || traces[0].Length < 4) return true; // nothing more to learn from extending
        if (traces.Any(t => t.Any(v => !double.IsFinite(v)))) return true;
        double mean = traces.Average(t => t.Average());
        double se = Diagnostics.ChainDiagnostics.MeanStandardError(traces);
        // Clearly negative: w* is not a minimum the chains stay at (a saddle or a slope), and more draws cannot make
        // a relative error meaningful; the diagnostics already mark the estimate untrusted.
        if (mean + 2 * se < 0) return true;
        if (!(mean > 0)) return false;
        return se <= target * mean;
    }

    /// <summary>Creates a sampler of the given kind.</summary>
    public static IChainSampler CreateSampler(SamplerKind kind, SamplerSettings settings,
        LangevinIntegrator integrator = LangevinIntegrator.LeimkuhlerMatthews) => kind switch
    {
        SamplerKind.Mala => new MalaSampler(settings),
        SamplerKind.Sgld => new SgldSampler(settings, integrator),
        SamplerKind.RmspropSgld => new RmspropSgldSampler(settings, integrator),
        SamplerKind.Sgnht => new SgnhtSampler(settings),
        SamplerKind.Pcnl => settings.Localization > 0 ? new PcnLangevinSampler(settings) : new MalaSampler(settings),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>∇L_n(w*) over the whole training set, accumulated in chunks so memory stays bounded.</summary>
    internal static torch.Tensor FullGradient(IChainPotential potential, long chunk = 4096)
    {
        long n = potential.SampleCount;
        var total = torch.zeros([potential.Dimension], dtype: potential.Center.dtype);
        using var center = potential.Center.unsqueeze(0);
        using var gradient = torch.zeros([1, potential.Dimension], dtype: potential.Center.dtype);
        for (long start = 0; start < n; start += chunk)
        {
            using var scope = torch.NewDisposeScope();
            long m = Math.Min(chunk, n - start);
            var indices = torch.arange(start, start + m, dtype: torch.ScalarType.Int64).unsqueeze(0);
            potential.Loss(center, indices, gradient);
            total.add_(gradient[0], alpha: (double)m / n);
        }
        return total;
    }

    // A small vector's values, read straight from memory (no conversion op for float32 or float64).
    private static double[] ReadVector(torch.Tensor t)
    {
        if (t.device_type == DeviceType.CPU && t.is_contiguous())
        {
            if (t.dtype == torch.ScalarType.Float64) return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(t.bytes).ToArray();
            if (t.dtype == torch.ScalarType.Float32)
            {
                var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.bytes);
                var result = new double[values.Length];
                for (int i = 0; i < result.Length; i++) result[i] = values[i];
                return result;
            }
        }
        return t.to_type(torch.ScalarType.Float64).contiguous().data<double>().ToArray();
    }

    /// <summary>Derives independent generator seeds from the user's seed (SplitMix64 finaliser).</summary>
    internal static ulong Mix(long seed, ulong stream)
    {
        ulong z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL * (stream + 1));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
