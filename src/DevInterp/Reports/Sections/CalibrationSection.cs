using System.Globalization;
using System.Text;
using DevInterp.Storage;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace DevInterp.Reports.Sections;

/// <summary>The step-size calibration grid: λ̂ against ε for each (nβ, γ), with the chosen ε marked (<c>calibration</c> table).</summary>
public sealed class CalibrationSection : IReportSection
{
    /// <inheritdoc />
    public string Id => "calibration";

    /// <inheritdoc />
    public string Title => "Step-size calibration";

    /// <inheritdoc />
    public SectionBody Render(ReportData data, ReportContext context)
    {
        if (data.Calibration.Count == 0)
            return SectionBody.Absent("the calibration table is absent or empty: the step size ε was given, or no LLC was estimated.");
        var sb = new StringBuilder();
        if (data.LlcSetting.Count > 0)
            sb.Append(Html.Note($"The LLC setting of every checkpoint ({data.LlcSetting[0].Source}): ε = {Html.Number(data.LlcSetting[0].StepSize, "G3")}, " +
                $"γ = {Html.Number(data.LlcSetting[0].Localization, "G3")}. {data.LlcSetting[0].Reason}.",
                data.LlcSetting[0].Confident ? "note" : "warning"));
        // The run-level search tries γ from the weakest up at each probe: its story is λ̂ against γ, all probes in one chart.
        bool search = data.LlcSetting.Count > 0 && data.LlcSetting[0].Source is "run" or "run_fallback";
        // Drawn on log scales, so only trials with λ̂ > 0 can be points, and it shows something only where a probe has a
        // curve: two such trials at different γ. Otherwise the table below tells it all (a run whose early probes are
        // saddles: every trial there descends, λ̂ < 0, and the others were tried at one γ).
        if (search && data.Calibration.GroupBy(r => r.Step).Any(g => g.Where(r => double.IsFinite(r.Mean) && r.Mean > 0 && r.Localization > 0)
                .Select(r => r.Localization).Distinct().Count() >= 2))
            sb.Append(context.Chart(BuildSearch(data.Calibration, data.LlcSetting[0].Localization, context), "calibration"));
        foreach (var step in data.Calibration.GroupBy(r => r.Step).OrderBy(g => g.Key))
        {
            var rows = step.ToList();
            // A chart needs a curve: the run-level search may try a probe at one γ only (the table below has it).
            if (!search && rows.Count(r => double.IsFinite(r.Mean) && r.StepSize > 0) >= 2) sb.Append(context.Chart(Build(step.Key, rows, context), "calibration"));
            var chosen = rows.Where(r => r.Chosen).ToList();
            sb.Append(Html.Note(chosen.Count == 0
                ? $"Step {step.Key}: no point was chosen."
                : $"Step {step.Key}: chose ε = {Html.Number(chosen[0].StepSize, "G3")} (nβ {Html.Number(chosen[0].NBeta, "G4")}, γ {Html.Number(chosen[0].Localization, "G3")}), λ̂ {Html.Number(chosen[0].Mean, "G4")}."));
            sb.Append(Html.Table(["ε", "nβ", "γ", "λ̂", "std", "R̂", "drift", "verdict", "diverged", "passing", "stable", "chosen", "why not"],
                rows.OrderBy(r => r.NBeta).ThenBy(r => r.Localization).ThenBy(r => r.StepSize).Select(r => (IReadOnlyList<string>)
                [
                    Html.Number(r.StepSize, "G3"), Html.Number(r.NBeta, "G4"), Html.Number(r.Localization, "G3"), Html.Number(r.Mean, "G4"),
                    Html.Number(r.Std, "G3"), Html.Number(r.RHat, "F3"), Html.Number(r.Drift, "F3"), LlcDiagnosticsSection.Verdict(r.Verdict),
                    Flag(r.Diverged, true), Flag(r.Passing, false), Flag(r.Stable, false), r.Chosen ? "<b>★ chosen</b>" : "",
                    Html.Escape(r.Reasons),
                ]), "calibration"));
        }
        if (search)
            sb.Append(Html.Note("Read the chart from the left: at each probe checkpoint γ rises until the chains stay local and stationary " +
                "(red crosses failed: the table's reasons say why); the run uses the weakest γ at which every probe passed (dashed line), " +
                "with the smallest of the probes' step sizes. Error bars: ± one std of the chains' estimates."));
        else sb.Append(Html.Note("Read it as a plateau search: λ̂ should be flat over a range of small ε (stable points); too large an ε " +
            "inflates λ̂ or diverges (red crosses are not passing; diverged points have no finite λ̂). Error bars: ± one std of the chains' estimates."));
        return new SectionBody(true, sb.ToString());
    }

    private static GenericChart Build(long step, IReadOnlyList<CalibrationRow> rows, ReportContext context)
    {
        var charts = new List<GenericChart>();
        foreach (var setting in rows.GroupBy(r => (r.NBeta, r.Localization)).OrderBy(g => g.Key.NBeta).ThenBy(g => g.Key.Localization))
        {
            var points = setting.Where(r => double.IsFinite(r.Mean) && r.StepSize > 0).OrderBy(r => r.StepSize).ToList();
            if (points.Count == 0) continue;
            var line = Chart.Line<double, double, string>(points.Select(r => r.StepSize), points.Select(r => context.Round(r.Mean)), ShowMarkers: true,
                Name: $"nβ {Html.Number(setting.Key.NBeta, "G4")}, γ {Html.Number(setting.Key.Localization, "G3")}",
                MultiText: points.Select(r => Html.Escape($"ε {Html.Number(r.StepSize, "G3")}: λ̂ {Html.Number(r.Mean, "G4")} ± {Html.Number(r.Std, "G3")}, {StoreEnums.Format(r.Verdict)}")).ToArray());
            ErrorBars(line, points, context);
            ChartStyle.HoverText(line);
            charts.Add(line);
        }
        var failing = rows.Where(r => !r.Passing && double.IsFinite(r.Mean) && r.StepSize > 0).ToList();
        if (failing.Count > 0)
            charts.Add(Crosses(failing, r => r.StepSize, "not passing", r => $"ε {Html.Number(r.StepSize, "G3")}: not passing ({StoreEnums.Format(r.Verdict)})", 12, context));
        var chosen = rows.Where(r => r.Chosen && double.IsFinite(r.Mean) && r.StepSize > 0).ToList();
        if (chosen.Count > 0)
        {
            var star = Chart.Point<double, double, string>(chosen.Select(r => r.StepSize), chosen.Select(r => context.Round(r.Mean)),
                Name: "chosen ε", MarkerSymbol: StyleParam.MarkerSymbol.Star, MarkerColor: Color.fromString("#2ca02c"),
                MultiText: chosen.Select(r => Html.Escape($"chosen ε {Html.Number(r.StepSize, "G3")}: λ̂ {Html.Number(r.Mean, "G4")}")).ToArray());
            ChartStyle.MarkerSize(star, 18, outline: "#222");
            ChartStyle.HoverText(star);
            charts.Add(star);
        }
        var chart = Chart.Combine(charts);
        ChartStyle.Frame(chart, string.Create(CultureInfo.InvariantCulture, $"Calibration at step {step}: λ̂ against ε"), 400);
        ChartStyle.AxisTitle(chart, "xaxis", "step size ε (log scale)", log: true);
        ChartStyle.AxisTitle(chart, "yaxis", "λ̂");
        if (chosen.Count > 0)
        {
            ChartStyle.Shapes(chart, [new Dictionary<string, object>
            {
                ["type"] = "line", ["xref"] = "x", ["yref"] = "paper", ["x0"] = chosen[0].StepSize, ["x1"] = chosen[0].StepSize, ["y0"] = 0, ["y1"] = 1,
                ["line"] = new Dictionary<string, object> { ["width"] = 1.5, ["color"] = "#2ca02c", ["dash"] = "dash" },
            }]);
        }
        return chart;
    }

    // λ̂ against γ (both log scales: λ̂ spans decades between a weak and a strong localization) per probe checkpoint.
    private static GenericChart BuildSearch(IReadOnlyList<CalibrationRow> rows, double chosenGamma, ReportContext context)
    {
        var charts = new List<GenericChart>();
        foreach (var probe in rows.GroupBy(r => r.Step).OrderBy(g => g.Key))
        {
            var points = probe.Where(r => double.IsFinite(r.Mean) && r.Mean > 0 && r.Localization > 0).OrderBy(r => r.Localization).ToList();
            if (points.Count == 0) continue;
            var line = Chart.Line<double, double, string>(points.Select(r => r.Localization), points.Select(r => context.Round(r.Mean)), ShowMarkers: true,
                Name: string.Create(CultureInfo.InvariantCulture, $"probe at step {probe.Key}"),
                MultiText: points.Select(r => Html.Escape($"step {probe.Key}, γ {Html.Number(r.Localization, "G3")}, ε {Html.Number(r.StepSize, "G3")}: λ̂ {Html.Number(r.Mean, "G4")} ± {Html.Number(r.Std, "G3")}{(r.Passing ? "" : ", failed")}")).ToArray());
            ErrorBars(line, points, context);
            ChartStyle.MarkerSize(line, 14); // a probe may have one trial only: a point, which must be seen
            ChartStyle.HoverText(line);
            charts.Add(line);
        }
        var failing = rows.Where(r => !r.Passing && double.IsFinite(r.Mean) && r.Mean > 0 && r.Localization > 0).ToList();
        if (failing.Count > 0)
            charts.Add(Crosses(failing, r => r.Localization, "failed", r => $"step {r.Step}, γ {Html.Number(r.Localization, "G3")}: {r.Reasons}", 18, context));
        var chart = Chart.Combine(charts);
        ChartStyle.Frame(chart, "Choosing the run's setting: λ̂ against γ at each probe checkpoint", 400);
        ChartStyle.AxisTitle(chart, "xaxis", "localization γ (log scale)", log: true);
        ChartStyle.AxisTitle(chart, "yaxis", "λ̂ (log scale)", log: true);
        ChartStyle.Shapes(chart, [new Dictionary<string, object>
        {
            ["type"] = "line", ["xref"] = "x", ["yref"] = "paper", ["x0"] = chosenGamma, ["x1"] = chosenGamma, ["y0"] = 0, ["y1"] = 1,
            ["line"] = new Dictionary<string, object> { ["width"] = 1.5, ["color"] = "#2ca02c", ["dash"] = "dash" },
        }]);
        return chart;
    }

    // ± one std of the chains' estimates as error bars on a line's points.
    private static void ErrorBars(GenericChart line, IEnumerable<CalibrationRow> points, ReportContext context) =>
        line.GetTraces().Single().SetProperty("error_y", new Dictionary<string, object>
        {
            ["type"] = "data", ["visible"] = true, ["array"] = points.Select(r => double.IsFinite(r.Std) ? context.Round(r.Std) : 0).ToArray(),
        });

    // Red crosses over the trials that failed, at x(r), with a hover text each.
    private static GenericChart Crosses(IReadOnlyList<CalibrationRow> failing, Func<CalibrationRow, double> x, string name,
        Func<CalibrationRow, string> text, int size, ReportContext context)
    {
        var crosses = Chart.Point<double, double, string>(failing.Select(x), failing.Select(r => context.Round(r.Mean)),
            Name: name, MarkerSymbol: StyleParam.MarkerSymbol.X, MarkerColor: Color.fromString(ChartStyle.Untrusted),
            MultiText: failing.Select(r => Html.Escape(text(r))).ToArray());
        ChartStyle.MarkerSize(crosses, size);
        ChartStyle.HoverText(crosses);
        return crosses;
    }

    private static string Flag(bool value, bool badWhenTrue) =>
        value ? (badWhenTrue ? "<span class=\"bad\">yes</span>" : "yes") : (badWhenTrue ? "no" : "<span class=\"bad\">no</span>");
}
