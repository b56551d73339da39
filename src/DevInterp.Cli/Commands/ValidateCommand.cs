using System.CommandLine;
using System.Globalization;
using DevInterp.Llc;
using DevInterp.Llc.Validation;
using Spectre.Console;

namespace DevInterp.Cli.Commands;

/// <summary><c>devinterp validate llc</c>: the LLC estimator against models whose learning coefficient is known.</summary>
public static class ValidateCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Build(CliContext context)
    {
        var validate = new Command("validate", "Check DevInterp's estimators against known truth");
        var fast = new Option<bool>("--fast") { Description = "Only the quick cases (the ones the tests run)" };
        var only = new Option<string?>("--case") { Description = "Run only cases whose name contains this text" };
        var json = new Option<bool>("--json") { Description = "One JSON object per case: name, true_lambda, estimate, std, rel_err, diagnostics" };
        var seed = new Option<long>("--seed") { Description = "Seed of data and sampling", DefaultValueFactory = _ => 1 };
        var llc = new Command("llc",
            "Estimate the LLC, with default settings and no per-case tuning, for models whose true learning coefficient " +
            "is known (regular regression d/2, normal crossings 1/(2·max(a,b)), reduced-rank regression and deep linear " +
            "networks by Aoyagi's formula) and print estimate vs truth with the relative error.")
        { fast, only, json, seed };
        llc.WithExamples("devinterp validate llc", "devinterp validate llc --fast --json", "devinterp validate llc --case normal-crossing");
        llc.SetGuardedAction(context, parse =>
        {
            var cases = LlcValidationSuite.Cases(parse.GetValue(fast))
                .Where(c => parse.GetValue(only) is not { } f || c.Name.Contains(f, StringComparison.OrdinalIgnoreCase)).ToList();
            if (cases.Count == 0) throw new UsageException($"--case '{parse.GetValue(only)}' matches no case");
            var outcomes = new List<ValidationOutcome>();
            foreach (var c in cases)
            {
                var started = DateTime.UtcNow;
                var outcome = LlcValidationSuite.Run(c, new LlcOptions(), parse.GetValue(seed));
                outcomes.Add(outcome);
                context.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name}: λ = {c.TrueLambda:G4}, λ̂ = {outcome.Result.Mean:G4} ± {outcome.Result.Std:G3} ({outcome.RelativeError:P1}), ε = {outcome.Result.StepSize:G3}, {(DateTime.UtcNow - started).TotalSeconds:F0} s"));
            }
            if (parse.GetValue(json))
            {
                foreach (var o in outcomes) context.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(ToJson(o), JsonOutput.Options).Replace("\n", "").Replace("  ", ""));
            }
            else
            {
                var table = new Table().AddColumns("case", "true λ", "estimate", "std", "rel. error", "ε", "verdict");
                foreach (var o in outcomes)
                {
                    table.AddRow(o.Name, F(o.TrueLambda), F(o.Result.Mean), F(o.Result.Std), o.RelativeError.ToString("P1", CultureInfo.InvariantCulture),
                        o.Result.StepSize.ToString("G3", CultureInfo.InvariantCulture), o.Result.Diagnostics.Verdict.ToString().ToLowerInvariant());
                }
                context.OutConsole.Write(table);
                var errors = outcomes.Select(o => o.RelativeError).Order().ToList();
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"max relative error {errors[^1]:P1}, median {errors[errors.Count / 2]:P1} over {errors.Count} cases"));
            }
            return ExitCodes.Success;
        });
        validate.Subcommands.Add(llc);
        return validate;
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static object ToJson(ValidationOutcome o) => new
    {
        name = o.Name,
        true_lambda = o.TrueLambda,
        estimate = o.Result.Mean,
        std = o.Result.Std,
        rel_err = o.RelativeError,
        step_size = o.Result.StepSize,
        step_size_source = o.Result.StepSizeSource,
        nbeta = o.Result.NBeta,
        diagnostics = new
        {
            verdict = o.Result.Diagnostics.Verdict.ToString().ToLowerInvariant(),
            r_hat = o.Result.Diagnostics.RHat,
            bulk_ess = o.Result.Diagnostics.BulkEss,
            drift = o.Result.Diagnostics.Drift,
            negative_fraction = o.Result.Diagnostics.NegativeFraction,
            reasons = o.Result.Diagnostics.Reasons,
        },
    };
}
