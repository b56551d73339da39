using System.CommandLine;
using DevInterp.Analysis;
using DevInterp.Llc;

namespace DevInterp.Cli.Commands;

/// <summary>
/// The LLC sampler options shared by <c>llc</c>, <c>llc calibrate</c> and <c>analyze</c>. Each option given on the
/// command line overrides the same setting of the base settings (defaults, or a --config file for analyze); an option
/// left out keeps it. Settings left null (ε, γ, draws, burn-in) are chosen for the run (docs/llc.md).
/// </summary>
internal sealed class LlcFlags
{
    public Option<int?> Chains { get; } = new("--chains") { Description = "Chains per estimate (default 8)" };
    public Option<int?> Draws { get; } = new("--draws") { Description = "Draws per chain (the minimum; more are drawn until --target-rel-error is met); default: chosen for the run from its probe checkpoints" };
    public Option<int?> BurnIn { get; } = new("--burn-in") { Description = "Burn-in steps per chain; default: chosen for the run" };
    public Option<int?> Thin { get; } = new("--steps-between-draws") { Description = "Sampler steps per kept draw (default 1)" };
    public Option<double?> StepSize { get; } = new("--step-size") { Description = "Step size ε; default: chosen once for the run with γ from probe checkpoints (docs/llc.md, 'One setting for a run')" };
    public Option<double?> NBeta { get; } = new("--nbeta") { Description = "Inverse temperature nβ; default n/ln n, with n the training-set size (the theory's β* = 1/ln n)" };
    public Option<double?> Localization { get; } = new("--localization") { Description = "Localization strength γ pulling chains back to the checkpoint; default: the weakest that keeps the chains local and stationary at every probe checkpoint" };
    public Option<int?> BatchSize { get; } = new("--batch-size") { Description = "Minibatch size; default: full batch when cheap (n·D ≤ 2^22), else about 2^22/D (at least 256)" };
    public Option<long?> Seed { get; } = new("--seed") { Description = "Seed of all sampling randomness (equal seeds give bit-identical results; default 0)" };
    public Option<string?> Sampler { get; } = new("--sampler") { Description = "pcnl (Metropolis-adjusted Langevin with the localization integrated by Crank–Nicolson: exact with full batches and fast in the many directions only γ holds; the default), mala, sgld, rmsprop_sgld or sgnht (docs/llc.md, 'Samplers')" };
    public Option<string?> Integrator { get; } = new("--integrator") { Description = "leimkuhler_matthews (exact for Gaussian targets; the default) or euler_maruyama (classic SGLD)" };
    public Option<bool> NoControlVariates { get; } = new("--no-control-variates") { Description = "Use plain minibatch gradients and draws (no control variates)" };
    public Option<double?> TargetRelativeError { get; } = new("--target-rel-error") { Description = "Draw until the Monte Carlo error of λ̂ is at most this fraction of λ̂ (default 0.03; 0 = exactly --draws)" };
    public Option<int?> MaxDraws { get; } = new("--max-draws") { Description = "Upper limit on draws per chain (default 3000)" };
    public Option<double?> MaxMinutes { get; } = new("--max-minutes") { Description = "Time the LLC pass may take when the draws are chosen for the run (default 2.5; the draws per checkpoint are capped to fit, never below 200)" };
    public Option<string?> Parameters { get; } = new("--parameters") { Description = "Regex of the parameters to sample (weight-restricted LLC, e.g. '^layers\\.2\\.'); others stay fixed" };
    public Option<string?> Compat { get; } = new("--compat") { Description = "devinterp: the Python devinterp library's SGLD (Euler steps, nβ = batch/ln batch, full batch unless --batch-size, L(w*) on the full training set, exactly --draws draws; docs/llc.md)" };

    public IEnumerable<Option> All => [Chains, Draws, BurnIn, Thin, StepSize, NBeta, Localization, BatchSize, Seed, Sampler, Integrator,
        NoControlVariates, TargetRelativeError, MaxDraws, MaxMinutes, Parameters, Compat];

    /// <summary>True when any of these options was given.</summary>
    public bool AnyGiven(ParseResult p) => All.Any(o => p.GetResult(o) is { Implicit: false });

    /// <summary>The default settings with the given options applied.</summary>
    public LlcSettings Settings(ParseResult p) => Apply(p, new LlcSettings());

    /// <summary><paramref name="settings"/> with every option given on the command line applied, validated.</summary>
    public LlcSettings Apply(ParseResult p, LlcSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        bool Given(Option o) => p.GetResult(o) is { Implicit: false };
        var s = settings;
        if (Given(Chains)) s = s with { Chains = p.GetValue(Chains)!.Value };
        if (Given(Draws)) s = s with { Draws = p.GetValue(Draws) };
        if (Given(BurnIn)) s = s with { BurnIn = p.GetValue(BurnIn) };
        if (Given(Thin)) s = s with { StepsBetweenDraws = p.GetValue(Thin)!.Value };
        if (Given(StepSize)) s = s with { StepSize = p.GetValue(StepSize) };
        if (Given(NBeta)) s = s with { NBeta = p.GetValue(NBeta) };
        if (Given(Localization)) s = s with { Localization = p.GetValue(Localization) };
        if (Given(BatchSize)) s = s with { BatchSize = p.GetValue(BatchSize) };
        if (Given(Seed)) s = s with { Seed = p.GetValue(Seed)!.Value };
        if (Given(Sampler)) s = s with { Sampler = p.GetValue(Sampler)! };
        if (Given(Integrator)) s = s with { Integrator = p.GetValue(Integrator)! };
        if (p.GetValue(NoControlVariates)) s = s with { ControlVariates = false };
        if (Given(TargetRelativeError)) s = s with { TargetRelativeError = p.GetValue(TargetRelativeError) }; // 0 means exactly --draws: LlcSettings says so
        if (Given(MaxDraws)) s = s with { MaxDraws = p.GetValue(MaxDraws)!.Value };
        if (Given(MaxMinutes)) s = s with { MaxMinutes = p.GetValue(MaxMinutes)!.Value };
        if (Given(Parameters)) s = s with { ParameterPattern = p.GetValue(Parameters) };
        if (Given(Compat)) s = s with { Compat = p.GetValue(Compat) };
        if (s.Compat is { } compat)
        {
            var kind = compat is "none" or "devinterp" ? LlcSettings.ParseCompat(compat)
                : throw new UsageException($"--compat '{compat}' is not one of none, devinterp");
            if (kind == LlcCompat.Devinterp && Given(Sampler) && LlcSettings.ParseSampler(s.Sampler) != SamplerKind.Sgld)
                throw new UsageException($"--compat devinterp samples with plain SGLD; drop --sampler {s.Sampler}");
            if (kind == LlcCompat.Devinterp) s = s with { Sampler = "sgld" }; // the default MALA is ours, not the reference's
        }
        // --max-draws left out follows a larger --draws; given explicitly it must not be smaller.
        if (!Given(MaxDraws) && s.Draws is { } d) s = s with { MaxDraws = Math.Max(s.MaxDraws, d) };
        s.Validate(); // names every bad option now
        return s;
    }
}
