using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DevInterp.Analysis;
using DevInterp.Llc;
using DevInterp.Llc.Validation;
using Spectre.Console;

namespace DevInterp.Cli.Commands;

/// <summary>
/// <c>devinterp validate llc</c>: the LLC estimator against models whose learning coefficient is known, at two levels —
/// the estimate against the exact value it converges to (target), and that target against λ.
/// </summary>
public static class ValidateCommand
{
    // One JSON object per line, with null targets written out (the shared options omit nulls).
    private static readonly JsonSerializerOptions LineOptions = new(JsonOutput.Options)
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Builds the command group.</summary>
    public static Command Build(CliContext context)
    {
        var validate = new Command("validate", "Check DevInterp's estimators against known truth");
        var fast = new Option<bool>("--fast") { Description = "Only the quick cases (the ones the tests run)" };
        var only = new Option<string?>("--case") { Description = "Run only cases whose name contains this text" };
        var json = new Option<bool>("--json")
        {
            Description = "One JSON object per case and line: name, true_lambda, target, estimate, std, rel_err, target_rel_err, acceptance, diagnostics, verdict",
        };
        var seed = new Option<long>("--seed") { Description = "Seed of the cases' data sets (the deep cases' reference targets exist for seed 1); sampling always uses seed 0", DefaultValueFactory = _ => 1 };
        var batch = new Option<int?>("--batch-size") { Description = "Minibatch size: run the cases in minibatch mode over their data (default: full batch)" };
        var sampler = new Option<string?>("--sampler") { Description = "Sampler instead of the default (mala; also pcnl, sgld, rmsprop_sgld, sgnht)" };
        var localization = new Option<double?>("--localization") { Description = "γ instead of the default (the targets of the deep cases exist only for the default)" };
        var maxDraws = new Option<int?>("--max-draws") { Description = "Upper limit on draws per chain instead of the default (e.g. to bound minibatch runs)" };
        var llc = new Command("llc",
            "Estimate the LLC, with default settings and no per-case tuning, for models whose true learning coefficient " +
            "is known (regular regression d/2, normal crossings 1/(2·max(a,b)), reduced-rank regression and deep linear " +
            "networks by Aoyagi's formula), and compare at two levels: the estimate against the exact value it converges " +
            "to at the same nβ and γ (closed form, quadrature or reference chains: the target), and the target against λ.")
        { fast, only, json, seed, batch, sampler, localization, maxDraws };
        llc.WithExamples("devinterp validate llc", "devinterp validate llc --fast --json", "devinterp validate llc --case normal-crossing",
            "devinterp validate llc --batch-size 256   # minibatch mode");
        llc.SetGuardedAction(context, parse =>
        {
            var cases = LlcValidationSuite.Cases(parse.GetValue(fast))
                .Where(c => parse.GetValue(only) is not { } f || c.Name.Contains(f, StringComparison.OrdinalIgnoreCase)).ToList();
            if (cases.Count == 0) throw new UsageException($"--case '{parse.GetValue(only)}' matches no case");
            var options = new LlcOptions(BatchSize: parse.GetValue(batch));
            if (parse.GetValue(sampler) is { } s)
            {
                try { options = options with { Sampler = LlcSettings.ParseSampler(s) }; }
                catch (ArgumentException e) { throw new UsageException($"--sampler: {e.Message}"); }
            }
            if (parse.GetValue(localization) is { } g) options = options with { Localization = g };
            if (parse.GetValue(maxDraws) is { } m) options = options with { MaxDraws = m, Draws = Math.Min(options.Draws, m) };
            try { options.Validate(); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            // The cases are tiny: libtorch's worker threads would only spin between small operations.
            TorchSharp.torch.set_num_threads(1);
            var outcomes = new List<(ValidationOutcome Outcome, double Seconds)>();
            foreach (var c in cases)
            {
                var started = DateTime.UtcNow;
                var outcome = LlcValidationSuite.Run(c, options, parse.GetValue(seed));
                double seconds = (DateTime.UtcNow - started).TotalSeconds;
                outcomes.Add((outcome, seconds));
                context.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name}: λ = {c.TrueLambda:G4}, target {(outcome.Target is { } t ? t.Value.ToString("G4", CultureInfo.InvariantCulture) : "–")}, λ̂ = {outcome.Result.Mean:G4} ± {outcome.Result.Std:G3} ({outcome.RelativeError:P1}), ε = {outcome.Result.StepSize:G3}, {seconds:F0} s"));
                if (parse.GetValue(json)) context.Out.WriteLine(JsonSerializer.Serialize(ToJson(outcome, seconds), LineOptions));
            }
            if (!parse.GetValue(json)) Print(context, outcomes.Select(o => o.Outcome).ToList());
            return ExitCodes.Success;
        });
        validate.Subcommands.Add(llc);
        return validate;
    }

    private static void Print(CliContext context, IReadOnlyList<ValidationOutcome> outcomes)
    {
        var table = new Table().AddColumns("case", "true λ", "target", "estimate", "std", "rel. error", "vs target", "acceptance", "ε", "verdict");
        foreach (var o in outcomes)
        {
            table.AddRow(o.Name, F(o.TrueLambda), o.Target is { } t ? F(t.Value) : "–", F(o.Result.Mean), F(o.Result.Std),
                P(o.RelativeError), P(o.TargetRelativeError), P(o.Result.Diagnostics.Acceptance),
                o.Result.StepSize.ToString("G3", CultureInfo.InvariantCulture), o.Result.Diagnostics.Verdict.ToString().ToLowerInvariant());
        }
        context.OutConsole.Write(table);
        var errors = outcomes.Select(o => o.RelativeError).Order().ToList();
        var targetErrors = outcomes.Select(o => o.TargetRelativeError).Where(double.IsFinite).ToList();
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"against λ: max relative error {errors[^1]:P1}, median {Median(errors):P1} over {errors.Count} cases; " +
            $"against the target: {(targetErrors.Count > 0 ? $"max {targetErrors.Max():P1} over {targetErrors.Count} cases" : "no targets")}"));
        foreach (var o in outcomes.Where(o => o.Result.Diagnostics.Reasons.Count > 0))
            context.Out.WriteLine($"{o.Name}: {o.Result.Diagnostics.Summary}");
    }

    private static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    private static string F(double v) => double.IsNaN(v) ? "–" : v.ToString("G4", CultureInfo.InvariantCulture);

    private static string P(double v) => double.IsNaN(v) ? "–" : v.ToString("P1", CultureInfo.InvariantCulture);

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static object ToJson(ValidationOutcome o, double seconds)
    {
        var r = o.Result;
        var d = r.Diagnostics;
        string verdict = d.Verdict.ToString().ToLowerInvariant();
        return new
        {
            name = o.Name,
            true_lambda = o.TrueLambda,
            target = o.Target?.Value,
            target_se = o.Target?.Uncertainty,
            target_method = o.Target?.Method,
            estimate = Finite(r.Mean),
            std = Finite(r.Std),
            rel_err = Finite(o.RelativeError),
            target_rel_err = Finite(o.TargetRelativeError),
            target_offset = Finite(o.TargetOffset),
            acceptance = Finite(d.Acceptance),
            verdict,
            step_size = r.StepSize,
            step_size_source = r.StepSizeSource,
            nbeta = r.NBeta,
            localization = r.Localization,
            batch_size = r.BatchSize,
            sampler = DevInterp.Storage.StoreEnums.Format(r.Options.Sampler),
            draws = r.LossTraces.Count > 0 ? r.LossTraces[0].Length : 0,
            seconds,
            diagnostics = new
            {
                verdict,
                r_hat = Finite(d.RHat),
                bulk_ess = Finite(d.BulkEss),
                tail_ess = Finite(d.TailEss),
                drift = Finite(d.Drift),
                spread = Finite(d.Spread),
                negative_fraction = Finite(d.NegativeFraction),
                acceptance = Finite(d.Acceptance),
                var_over_mean = Finite(d.Dispersion),
                max_over_median = Finite(d.PeakRatio),
                spike_ratio = Finite(d.SpikeRatio),
                chain_acceptance = d.ChainAcceptance?.Select(Finite),
                chain_var_over_mean = d.ChainDispersion?.Select(Finite),
                chain_max_over_median = d.ChainPeakRatio?.Select(Finite),
                reasons = d.Reasons,
            },
        };
    }
}
