using System.Diagnostics;
using System.Globalization;
using DevInterp.Llc.Diagnostics;
using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc;

/// <summary>A probe checkpoint of the run-level search: its step and its potential.</summary>
/// <param name="Step">Training step (or epoch) of the checkpoint.</param>
/// <param name="Potential">L around the checkpoint's weights.</param>
public sealed record RunProbe(long Step, IChainPotential Potential);

/// <summary>
/// Chooses one LLC setting for a whole run from a few probe checkpoints (early, middle, last), so every checkpoint's
/// λ̂ is measured the same way and the values are comparable along the run. For each γ of the ladder, weakest first,
/// each probe gets a short trial: ε adapted until the acceptance lies in the band, then draws that must stay local and
/// stationary (no divergence, λ̂ &gt; 0, at most <see cref="RunSettingOptions.MaxNegativeFraction"/> of draws below
/// L(w*), no significant drift of λ̂ beyond <see cref="RunSettingOptions.MaxDrift"/>). The first γ at which every probe
/// passes is chosen, with the smallest of the probes' ε (the stiffest probe decides). When none passes, the strongest
/// γ is used and the result says so (<see cref="RunSetting.Confident"/> false). Draws and burn-in come from the
/// probes' autocorrelation time. Rule and reasons: docs/llc.md, "One setting for a run".
/// </summary>
public sealed class RunSettingSearch(LlcOptions baseOptions, RunSettingOptions? options = null)
{
    /// <summary>The estimate's options (sampler, nβ, batch size, seed); its ε, γ, chains and draws are set by the search.</summary>
    public LlcOptions Base { get; } = baseOptions;

    /// <summary>The search's settings.</summary>
    public RunSettingOptions Options { get; } = options ?? new RunSettingOptions();

    /// <summary>Runs the search on the probes.</summary>
    public RunSetting Choose(IReadOnlyList<RunProbe> probes, IProgress<LlcProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(probes);
        if (probes.Count == 0) throw new ArgumentException("the run-level search needs at least one probe checkpoint");
        var clock = Stopwatch.StartNew();
        var trials = new List<ProbeTrial>();
        var order = probes.ToList();
        var lastStepSize = new Dictionary<long, double>();
        var ladder = Options.Ladder.Order().ToList();
        // The scale "local" is measured against: the largest weight norm among the probes (the last checkpoint's, as a
        // rule). Not each probe's own ‖w*‖: a network initialised small has ‖w*‖ near 0 early in training, and no γ
        // would count as local there.
        double weightScale = probes.Max(p => Norm(p.Potential.Center));
        int total = ladder.Count * probes.Count, done = 0;
        foreach (double gamma in ladder)
        {
            var passed = new List<ProbeTrial>();
            foreach (var probe in order.ToList())
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Report(new LlcProgress(done++, total, $"choosing the run's setting: γ = {F(gamma)} at step {probe.Step}"));
                var trial = Trial(probe, gamma, lastStepSize.GetValueOrDefault(probe.Step), weightScale, cancel);
                trials.Add(trial);
                lastStepSize[probe.Step] = trial.StepSize;
                if (!trial.Passed)
                {
                    // The probe that failed is tried first at the next γ: a failing level then costs one trial.
                    order.Remove(probe);
                    order.Insert(0, probe);
                    break;
                }
                passed.Add(trial);
            }
            if (passed.Count == probes.Count)
                return Setting(passed, trials, true, clock,
                    $"γ = {F(gamma)} is the weakest localization of the ladder {Ladder()} at which the chains stayed local and stationary at every probe (steps {Steps(passed)})");
        }
        // Nothing passed: the strongest γ, where the chains are held closest to w*, with the probes' smallest ε there.
        double strongest = ladder[^1];
        var last = probes.Select(p => trials.LastOrDefault(t => t.Step == p.Step && t.Localization == strongest)
            ?? Trial(p, strongest, lastStepSize.GetValueOrDefault(p.Step), weightScale, cancel)).ToList();
        foreach (var t in last.Where(t => !trials.Contains(t))) trials.Add(t);
        var failing = last.Where(t => !t.Passed).Select(t => $"step {t.Step}: {string.Join("; ", t.Reasons)}");
        return Setting(last, trials, false, clock,
            $"no γ of the ladder {Ladder()} kept the chains local and stationary at every probe; fell back to the strongest, γ = {F(strongest)} ({string.Join("; ", failing)})");
    }

    private RunSetting Setting(List<ProbeTrial> chosen, List<ProbeTrial> trials, bool confident, Stopwatch clock, string reason)
    {
        double eps = chosen.Min(t => t.StepSize);
        double tau = chosen.Select(t => t.AutocorrelationTime).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        // Enough draws for TargetEss effective draws over the run's chains; burn-in a few autocorrelation times, at
        // least as long as the trials' adaptation took the chains to settle.
        int draws = (int)Math.Clamp(Math.Ceiling(Options.TargetEss * tau / Base.Chains), Options.MinDraws, 100_000);
        int burnIn = (int)Math.Clamp(Math.Max(chosen.Max(t => t.RelaxSteps), 5 * tau), 100, 2_000);
        double rate = trials.Select(t => t.ChainStepsPerSecond).Where(r => r > 0 && double.IsFinite(r)).DefaultIfEmpty(double.NaN).Average();
        return new RunSetting(eps, chosen[0].Localization, draws, burnIn, confident,
            reason + string.Create(CultureInfo.InvariantCulture,
                $"; ε = {F(eps)}, the smallest of the probes' adapted step sizes; {draws} draws after {burnIn} burn-in steps for about {Options.TargetEss:F0} effective draws (autocorrelation time {tau:F1} steps; burn-in: the probes' settling time or 5 autocorrelation times)"),
            trials, rate, clock.Elapsed.TotalSeconds);
    }

    private ProbeTrial Trial(RunProbe probe, double gamma, double previousStepSize, double weightScale, CancellationToken cancel)
    {
        var potential = probe.Potential;
        double nBeta = Base.ResolveNBeta(potential.SampleCount, potential.Dimension);
        using var state = torch.zeros([Options.Chains, potential.Dimension], dtype: potential.Center.dtype).DetachFromDisposeScope();
        bool warm = false;
        var o = Base with
        {
            Chains = Options.Chains, Localization = gamma, NBeta = nBeta, BurnIn = 0, StepsBetweenDraws = 1,
            TargetRelativeError = null, Seed = Base.Seed + probe.Step,
        };
        var reasons = new List<string>();
        string? adaptNote = null;
        double eps = Options.StepSize ?? (previousStepSize > 0 ? previousStepSize : 0.1 / (nBeta + gamma));
        // The sampler's kind tells whether ε is adapted by acceptance, how fast its steps relax, and its largest step.
        using var kind = LlcEstimator.CreateSampler(o.Sampler, new Samplers.SamplerSettings(1, nBeta, gamma), o.Integrator);
        bool adjusted = kind.Adjusted;
        double most = kind.MaxUsefulStepSize(gamma);
        if (Options.StepSize is null)
        {
            bool inBand = false;
            for (int round = 0; round < Options.AdaptRounds && !inBand; round++)
            {
                var r = LlcEstimator.Run(potential, o with { StepSize = eps, Draws = Options.AdaptSteps, MaxDraws = Options.AdaptSteps },
                    "calibration", null, cancel, "calibrating", warm ? state : null, state);
                bool diverged = r.Diagnostics.Dropped.Count > 0 || !double.IsFinite(r.Mean);
                if (diverged)
                {
                    eps /= 4;
                    warm = false;
                    continue;
                }
                warm = true;
                if (!adjusted)
                {
                    inBand = true; // unadjusted samplers: the largest ε that does not diverge, from the previous trial or the start
                    break;
                }
                double a = r.Diagnostics.Acceptance;
                if (a > Options.AcceptanceHigh)
                {
                    if (eps >= most) { inBand = true; break; } // pCNL at δ = 2: its proposal is the localization's own Gaussian
                    eps = Math.Min(most, eps * (a > 0.95 ? 4 : 2));
                }
                else if (a < Options.AcceptanceLow) eps /= a < 0.1 ? 4 : 2;
                else inBand = true;
            }
            if (!inBand) adaptNote = $"no adaptation round reached the acceptance band [{Options.AcceptanceLow:P0}, {Options.AcceptanceHigh:P0}] in {Options.AdaptRounds} rounds";
        }
        // The localization sets how fast chains pushed off w* come back: the slowest direction relaxes at rate ε·γ/2 per
        // step (the loss can only add curvature). A γ too weak to settle the chains within MaxRelaxSteps fails here,
        // without sampling: its chains would not be stationary within a run's budget.
        double relax = RelaxSteps(kind.Contraction(eps, gamma));
        if (!(relax <= Options.MaxRelaxSteps))
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"too weak to hold the chains: at ε = {F(eps)} they settle in {F(relax)} steps (three relaxation times of the localization) > {Options.MaxRelaxSteps}"));
            return new ProbeTrial(probe.Step, gamma, eps, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
                false, reasons) { RelaxSteps = relax };
        }
        // Settle; chains that moved off w* into flatter regions accept larger steps than the adaptation near w* saw,
        // so ε grows (twice at most) while the settled chains' acceptance stays above the band.
        for (int again = 0; again < 3; again++)
        {
            var settle = LlcEstimator.Run(potential, o with { StepSize = eps, Draws = (int)relax, MaxDraws = (int)relax },
                "calibration", null, cancel, "calibrating", warm ? state : null, state);
            warm = settle.Diagnostics.Dropped.Count == 0;
            if (!adjusted || Options.StepSize is not null || again == 2 || !(settle.Diagnostics.Acceptance > Options.AcceptanceHigh)
                || eps >= most) break;
            eps = Math.Min(eps * 2, most);
            relax = RelaxSteps(kind.Contraction(eps, gamma));
        }
        var clock = Stopwatch.StartNew();
        var m = LlcEstimator.Run(potential, o with { StepSize = eps, Draws = Options.Draws, MaxDraws = Options.Draws },
            "calibration", null, cancel, "calibrating", warm ? state : null, state);
        double seconds = clock.Elapsed.TotalSeconds;
        var d = m.Diagnostics;
        var healthy = m.LambdaTraces.Where((_, c) => double.IsFinite(m.PerChain[c])).ToList();
        double se = healthy.Count >= 2 ? Math.Max(m.Std / Math.Sqrt(healthy.Count), ChainDiagnostics.MeanStandardError(healthy)) : double.NaN;
        double tau = d.BulkEss > 0 ? healthy.Count * (double)Options.Draws / d.BulkEss : double.NaN;
        if (d.Dropped.Count > 0) reasons.Add($"{d.Dropped.Count} chain(s) diverged");
        // Short adaptation rounds are noisy: only chains that rarely move fail the trial.
        if (adjusted && d.Acceptance < LlcDiagnostics.AcceptanceDoubtful)
            reasons.Add($"the chains rarely move ({d.Acceptance:P0} of proposals accepted{(adaptNote is null ? "" : "; " + adaptNote)})");
        if (!(m.Mean > 0)) reasons.Add($"λ̂ = {F(m.Mean)} ≤ 0: the chains descend from w*");
        if (d.NegativeFraction > Options.MaxNegativeFraction)
            reasons.Add($"{d.NegativeFraction:P0} of draws below L(w*) (> {Options.MaxNegativeFraction:P0}): the chains descend from w*");
        // Local: the chains stay near w* on the scale of the weights themselves. A weak γ lets them wander as far from w*
        // as w* is from the origin, into other solutions, and λ̂ then describes the neighbourhood, not the checkpoint.
        double reach = Math.Sqrt(m.SpreadTraces is { Count: > 0 } st ? st.Where((_, c) => double.IsFinite(m.PerChain[c])).SelectMany(t => t).DefaultIfEmpty(double.NaN).Average() : double.NaN);
        if (reach > Options.MaxReach * weightScale)
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"not local: the chains move {F(reach)} from w* (rms), more than {Options.MaxReach:P0} of the run's weight norm {F(weightScale)}"));
        var (drift, significant) = LlcVerdicts.Drift(healthy.Count > 0 ? healthy : m.LambdaTraces, m.Mean, d.BulkEss);
        // Relative to λ̂, with an absolute floor: a change of 0.05 in λ̂ is below anything a run's curve resolves.
        if (significant && Math.Abs(drift) > Options.MaxDrift && Math.Abs(drift * m.Mean) > Options.DriftFloor)
            reasons.Add($"λ̂ still {(drift > 0 ? "rising" : "falling")} by {Math.Abs(drift):P0} over the second half: the chains are not stationary");
        return new ProbeTrial(probe.Step, gamma, eps, d.Acceptance, m.Mean, se, d.NegativeFraction, drift, tau,
            Options.Chains * (double)Options.Draws / Math.Max(seconds, 1e-9), reasons.Count == 0, reasons) { RelaxSteps = relax };
    }

    private static double Norm(torch.Tensor center)
    {
        using var scope = torch.NewDisposeScope();
        return center.to_type(torch.ScalarType.Float64).norm().item<double>();
    }

    /// <summary>
    /// Steps for chains pushed off w* to settle: three relaxation times of the slowest direction, which shrinks by
    /// <paramref name="contraction"/> per step (<see cref="Samplers.IChainSampler.Contraction"/>).
    /// </summary>
    internal static double RelaxSteps(double contraction)
    {
        contraction = Math.Abs(contraction);
        if (contraction == 0) return 1;
        if (!(contraction < 1)) return double.PositiveInfinity;
        return Math.Max(1, Math.Ceiling(3 / -Math.Log(contraction)));
    }

    private string Ladder() => "{" + string.Join(", ", Options.Ladder.Order().Select(F)) + "}";

    private static string Steps(IEnumerable<ProbeTrial> trials) => string.Join(", ", trials.Select(t => t.Step).Order());

    private static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
