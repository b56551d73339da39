using System.Globalization;
using System.Text.RegularExpressions;
using DevInterp.Checkpoints;
using DevInterp.Models;
using static DevInterp.Analysis.SettingsRules;

namespace DevInterp.Analysis;

// One validation per setting, shared by the command line, analysis.json and the library: each settings record lists its
// own problems, AnalysisConfig.Validate collects them all (with the memory the settings would need against what the
// machine has) and throws one SettingsException before any checkpoint is read. Each problem names the setting as
// analysis.json spells it and, in parentheses, its command-line option.

public sealed partial record LlcSettings
{
    /// <summary>
    /// What is wrong with these settings (empty when they can run). Floating-point settings must be representable in
    /// <paramref name="dtype"/> (a step size of 1e39 overflows float32).
    /// </summary>
    public IReadOnlyList<string> Problems(string dtype = "float32")
    {
        var p = new List<string>();
        double largest = dtype == "float64" ? double.MaxValue : float.MaxValue;
        AtLeast(p, "llc.chains", "--chains", Chains, 1);
        if (Draws is { } draws) AtLeast(p, "llc.draws", "--draws", draws, 4);
        if (BurnIn is { } burnIn) AtLeast(p, "llc.burn_in", "--burn-in", burnIn, 0);
        AtLeast(p, "llc.steps_between_draws", "--steps-between-draws", StepsBetweenDraws, 1);
        if (StepSize is { } e && !(e > 0 && e <= largest))
            p.Add(Problem("llc.step_size", "--step-size", $"expected a finite number > 0 (representable in {dtype}), got {N(e)}"));
        if (Localization is { } gamma && !(gamma >= 0 && gamma <= largest))
            p.Add(Problem("llc.localization", "--localization", $"expected a finite number ≥ 0 or null (chosen for the run), got {N(gamma)}"));
        if (NBeta is { } nb && !(nb > 0 && nb <= largest))
            p.Add(Problem("llc.nbeta", "--nbeta", $"expected a finite number > 0 or null, got {N(nb)}"));
        if (BatchSize is { } b && b < 1) p.Add(Problem("llc.batch_size", "--batch-size", $"expected at least 1 or null, got {b}"));
        if (!Known(() => ParseSampler(Sampler))) p.Add(Problem("llc.sampler", "--sampler", $"'{Sampler}' is not one of pcnl, mala, sgld, rmsprop_sgld, sgnht"));
        if (!Known(() => ParseIntegrator(Integrator)))
            p.Add(Problem("llc.integrator", "--integrator", $"'{Integrator}' is not one of leimkuhler_matthews, euler_maruyama"));
        if (TargetRelativeError is { } t && !(t >= 0 && double.IsFinite(t)))
            p.Add(Problem("llc.target_relative_error", "--target-rel-error", $"expected a finite number > 0, or 0 (or null) for exactly llc.draws draws, got {N(t)}"));
        if (!Known(() => ParseCompat(Compat))) p.Add(Problem("llc.compat", "--compat", $"'{Compat}' is not one of none, devinterp"));
        if (TargetRelativeError is > 0 && Draws is { } least && MaxDraws < least)
            p.Add(Problem("llc.max_draws", "--max-draws", $"expected at least llc.draws ({least}), got {MaxDraws}"));
        if (!(MaxMinutes > 0 && double.IsFinite(MaxMinutes)))
            p.Add(Problem("llc.max_minutes", "--max-minutes", $"expected a finite number of minutes > 0, got {N(MaxMinutes)}"));
        if (ParameterPattern is { } pattern && !ValidRegex(pattern, out string why))
            p.Add(Problem("llc.parameter_pattern", "--parameters", $"'{pattern}' is not a regular expression: {why}"));
        return p;
    }

    /// <summary>Throws a <see cref="SettingsException"/> naming every problem.</summary>
    public void Validate(string dtype = "float32") => SettingsException.ThrowIfAny(Problems(dtype));

    /// <summary>
    /// A lower bound on the memory one LLC estimate with these settings takes for a model of
    /// <paramref name="parameters"/> parameters: per chain, its state, gradient and noise (three copies of the
    /// parameters) and four traces of <see cref="Draws"/> float64 values.
    /// </summary>
    public double MinimumBytes(double parameters, int elementSize) =>
        Enabled ? (double)Chains * (3.0 * parameters * elementSize + 32.0 * Math.Max(Draws ?? DefaultDraws, 0)) : 0;
}

public sealed partial record SimilaritySettings
{
    /// <summary>What is wrong with these settings (empty when they can run).</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        AtLeast(p, "similarity.probe_count", "--probe-count", ProbeCount, 1);
        foreach (string name in EffectiveMeasures)
        {
            string m = name?.Trim().ToLowerInvariant() ?? "";
            if (!SimilarityRunAnalysis.KnownMeasures.Contains(m))
                p.Add(Problem("similarity.measures", "--measures", $"unknown measure '{name}' (known: {string.Join(", ", SimilarityRunAnalysis.KnownMeasures)})"));
        }
        if (ProbeFile is { } file && Native.FileKinds.WhyNotAFile(file) is { } why)
            p.Add(Problem("similarity.probe_file", "--probe-file", $"{file}: {why}"));
        return p;
    }

    /// <summary>Throws a <see cref="SettingsException"/> naming every problem.</summary>
    public void Validate() => SettingsException.ThrowIfAny(Problems());
}

public sealed partial record DynamicsSettings
{
    /// <summary>What is wrong with these settings (empty when they can run).</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (Components < 2)
            p.Add(Problem("dynamics.components", "--components", $"expected at least 2 (curvature is measured in the PC1–PC2 plane), got {Components}"));
        if (!(SmoothingSigma >= 0) || !double.IsFinite(SmoothingSigma))
            p.Add(Problem("dynamics.smoothing_sigma", "--smoothing-sigma", $"expected a finite number ≥ 0, got {N(SmoothingSigma)}"));
        if (ParseAxis(SmoothingAxis) is null)
            p.Add(Problem("dynamics.smoothing_axis", "--smoothing-axis", $"'{SmoothingAxis}' is not one of index, log_step"));
        return p;
    }

    /// <summary>Throws a <see cref="SettingsException"/> naming every problem.</summary>
    public void Validate() => SettingsException.ThrowIfAny(Problems());

    /// <summary>The smoothing axis a name means (index, log_step), or null for an unknown name.</summary>
    internal static Dynamics.SmoothingAxis? ParseAxis(string? name) => (name ?? "").Replace("-", "_").ToLowerInvariant() switch
    {
        "index" => Dynamics.SmoothingAxis.Index,
        "log_step" or "logstep" => Dynamics.SmoothingAxis.LogStep,
        _ => null,
    };
}

public sealed partial record StageSettings
{
    /// <summary>What is wrong with these settings (empty when they can run).</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (ParseCost(Cost) is null) p.Add(Problem("stages.cost", "--cost", $"'{Cost}' is not one of l2, l1, normal, rbf"));
        if (ParseMethod(Method) is null) p.Add(Problem("stages.method", "--method", $"'{Method}' is not one of pelt, binseg, dynp"));
        if (Penalty is { } pen && (!(pen >= 0) || !double.IsFinite(pen)))
            p.Add(Problem("stages.penalty", "--penalty", $"expected a finite number ≥ 0 or null, got {N(pen)}"));
        AtLeast(p, "stages.min_segment_size", "--min-segment-size", MinSegmentSize, 1);
        if (!(Tolerance >= 0) || !double.IsFinite(Tolerance))
            p.Add(Problem("stages.tolerance", "--tolerance", $"expected a finite number ≥ 0, got {N(Tolerance)}"));
        return p;
    }

    /// <summary>Throws a <see cref="SettingsException"/> naming every problem.</summary>
    public void Validate() => SettingsException.ThrowIfAny(Problems());

    internal static Stages.Costs.CostKind? ParseCost(string? name) => (name ?? "").ToLowerInvariant() switch
    {
        "l2" => Stages.Costs.CostKind.L2,
        "l1" => Stages.Costs.CostKind.L1,
        "normal" => Stages.Costs.CostKind.Normal,
        "rbf" => Stages.Costs.CostKind.Rbf,
        _ => null,
    };

    internal static Stages.Search.SearchMethod? ParseMethod(string? name) => (name ?? "").ToLowerInvariant() switch
    {
        "pelt" => Stages.Search.SearchMethod.Pelt,
        "binseg" => Stages.Search.SearchMethod.BinarySegmentation,
        "dynp" => Stages.Search.SearchMethod.DynamicProgramming,
        _ => null,
    };
}

public sealed partial record AnalysisConfig
{
    /// <summary>
    /// Every problem with the settings, the dtype and the resources they would take (memory against what this machine
    /// has), for the sections that are enabled; empty when the analysis can run. Reads no checkpoint.
    /// </summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (DType is not ("float32" or "float64")) p.Add(Problem("dtype", "--dtype", $"'{DType}' is not float32 or float64"));
        string dtype = DType == "float64" ? "float64" : "float32";
        if (Llc is { Enabled: true } llc) p.AddRange(llc.Problems(dtype));
        if (Similarity is { Enabled: true } || Dynamics is { Enabled: true }) p.AddRange(Similarity.Problems());
        if (Dynamics is { Enabled: true } dynamics) p.AddRange(dynamics.Problems());
        if (Stages is { Enabled: true } stages) p.AddRange(stages.Problems());
        if (p.Count == 0) p.AddRange(ResourceProblems(dtype == "float64" ? 8 : 4));
        return p;
    }

    /// <summary>Throws one <see cref="SettingsException"/> naming every problem (see <see cref="Problems"/>).</summary>
    public void Validate() => SettingsException.ThrowIfAny(Problems());

    // Settings that are each in range but together need more memory than the machine has: refused with the number
    // before anything is read, instead of an out-of-memory failure (or a native crash) minutes later.
    private IEnumerable<string> ResourceProblems(int elementSize)
    {
        double parameters;
        try
        {
            parameters = ParameterCount(ModelSpec.Parse(Model));
        }
        catch (SpecFormatException)
        {
            yield break; // the model spec's own error comes with the model, naming the field
        }
        double available = CheckpointLimits.AvailableMemoryBytes;
        double model = parameters * elementSize;
        if (model > available)
        {
            yield return $"model: the spec has {N(parameters)} parameters, {Bytes(model)} as {DType}, more than this machine's {Bytes(available)} of memory";
            yield break;
        }
        double llc = Llc.MinimumBytes(parameters, elementSize);
        if (llc > available)
        {
            yield return Problem("llc.chains", "--chains",
                $"{Llc.Chains} chains of {N(parameters)} parameters and {Llc.Draws} draws need at least {Bytes(llc)} of memory, this machine has {Bytes(available)}");
        }
        // The probe batch's inputs and outputs in float64, held once: a lower bound on what similarity and dynamics need.
        if (Similarity.Enabled || Dynamics.Enabled)
        {
            var spec = ModelSpec.Parse(Model);
            double width = (double)(spec.InputSize ?? (spec is TransformerSpec t ? t.Context : 1)) + spec.OutputSize;
            double probe = (double)Similarity.ProbeCount * width * 8;
            if (probe > available)
                yield return Problem("similarity.probe_count", "--probe-count",
                    $"{Similarity.ProbeCount} probe rows of {N(width)} inputs and outputs need at least {Bytes(probe)} of memory, this machine has {Bytes(available)}");
        }
    }

    // Parameters of a built-in model from its sizes, in floating point so absurd sizes cannot overflow.
    private static double ParameterCount(ModelSpec spec) => spec switch
    {
        MlpSpec m => Enumerable.Range(0, m.Widths.Count - 1).Sum(i => ((double)m.Widths[i] + (m.Bias ? 1 : 0)) * m.Widths[i + 1]),
        DlnSpec d => Enumerable.Range(0, d.Widths.Count - 1).Sum(i => (double)d.Widths[i] * d.Widths[i + 1]),
        TmsSpec t => (double)t.Features * t.Hidden + t.Features,
        TransformerSpec x => ((double)x.Vocab + x.Context) * x.DModel + x.Layers * (4.0 * x.DModel * x.DModel + 2.0 * x.DModel * x.DMlp) + (double)x.DModel * x.Vocab,
        _ => spec.ParameterCount,
    };

}

/// <summary>The wording of settings problems, shared by the records' <c>Problems</c> methods.</summary>
internal static class SettingsRules
{
    /// <summary>"llc.draws: expected at least 4, got 0 (--draws)".</summary>
    public static string Problem(string setting, string option, string what) => $"{setting}: {what} ({option})";

    public static void AtLeast(List<string> problems, string setting, string option, long value, long minimum)
    {
        if (value < minimum) problems.Add(Problem(setting, option, $"expected at least {minimum}, got {value}"));
    }

    public static bool Known(Action parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static bool ValidRegex(string pattern, out string why)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            why = "";
            return true;
        }
        catch (ArgumentException e)
        {
            why = e.Message;
            return false;
        }
    }

    public static string N(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    public static string Bytes(double bytes) => bytes >= 1e15 ? $"{N(bytes / 1e15)} PB" : bytes >= 1e12 ? $"{N(bytes / 1e12)} TB"
        : CheckpointLimits.Bytes((long)bytes);
}
