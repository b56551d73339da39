using System.Globalization;
using System.Text;
using DevInterp.Llc;
using DevInterp.Storage;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace DevInterp.Reports.Sections;

/// <summary>
/// The diagnostics of every LLC estimate (verdict, reasons, R̂, ESS, acceptance, drift, spikes...) and the chains'
/// traces (λ per draw per chain, with each chain's acceptance rate, from <c>llc_traces</c>) of the flagged checkpoints.
/// </summary>
public sealed class LlcDiagnosticsSection : IReportSection
{
    /// <inheritdoc />
    public string Id => "llc-diagnostics";

    /// <inheritdoc />
    public string Title => "LLC diagnostics";

    /// <inheritdoc />
    public SectionBody Render(ReportData data, ReportContext context)
    {
        if (data.Llc.Count == 0) return SectionBody.Absent("the llc table is absent or empty, so there are no diagnostics (devinterp llc or devinterp analyze fills it).");
        var sb = new StringBuilder();
        // Settings shared by every estimate are said once above the table, so the table keeps room for the reasons.
        var columns = new List<(string Header, Func<LlcRow, string> Cell)>
        {
            ("step", r => I(r.Step)), ("verdict", r => Verdict(r.Verdict)), ("λ̂", r => Html.Number(r.Mean, "G5")), ("std", r => Html.Number(r.Std, "G3")),
            ("R̂", r => Html.Number(r.RHat, "F3")), ("bulk ESS", r => Html.Number(r.BulkEss, "F0")), ("tail ESS", r => Html.Number(r.TailEss, "F0")),
            ("drift", r => Html.Number(r.Drift, "F3")), ("spreading", r => Html.Number(r.Spread, "F3")), ("below L(w*)", r => Html.Number(r.NegativeFraction, "P1")),
            ("Var/mean", r => Html.Number(r.VarOverMean, "F2")), ("max/median", r => Html.Number(r.MaxOverMedian, "G3")),
            ("dropped", r => $"{r.DroppedChains} of {r.Chains}"),
        };
        // Acceptance only where some estimate has one (Metropolis-adjusted samplers).
        if (data.Llc.Any(r => double.IsFinite(r.Acceptance))) columns.Insert(4, ("acceptance", r => Html.Number(r.Acceptance, "P0")));
        var shared = new List<string>();
        void Setting(string name, Func<LlcRow, string> cell)
        {
            var values = data.Llc.Select(cell).Distinct().ToList();
            if (values.Count == 1) shared.Add($"{name} {values[0]}");
            else columns.Add((name, cell));
        }
        Setting("draws", r => I(r.Draws));
        Setting("ε", r => $"{Html.Number(r.StepSize, "G3")} ({Html.Escape(r.StepSizeSource)})");
        Setting("nβ", r => Html.Number(r.NBeta, "G4"));
        Setting("γ", r => Html.Number(r.Localization, "G3"));
        Setting("sampler", r => Html.Escape(StoreEnums.Format(r.Sampler)));
        columns.Add(("reasons", r => Html.Escape(r.Reasons)));
        int doubtful = data.Llc.Count(r => r.Verdict == LlcVerdict.Doubtful), untrusted = data.Llc.Count(r => r.Verdict == LlcVerdict.Untrusted);
        sb.Append("<p class=\"note\">").Append(Html.Escape($"{data.Llc.Count} estimates: {data.Llc.Count - doubtful - untrusted} trusted, "))
            .Append(Verdict(LlcVerdict.Doubtful)).Append(Html.Escape($" {doubtful}, ")).Append(Verdict(LlcVerdict.Untrusted)).Append(Html.Escape($" {untrusted}."))
            .Append(shared.Count > 0 ? " Every estimate: " + string.Join(", ", shared) + "." : "").Append("</p>\n");
        sb.Append("<div class=\"scroll\">").Append(Html.Table(columns.Select(c => c.Header).ToList(),
            data.Llc.OrderBy(r => r.Step).Select(r => (IReadOnlyList<string>)columns.Select(c => c.Cell(r)).ToList()), "diagnostics")).Append("</div>\n");

        var flagged = data.Llc.Where(r => r.Verdict != LlcVerdict.Trusted)
            .OrderBy(r => r.Verdict == LlcVerdict.Untrusted ? 0 : 1).ThenBy(r => r.Step).ToList();
        if (flagged.Count == 0)
        {
            sb.Append(Html.Note("Every estimate is trusted: no trace plots."));
            return new SectionBody(true, sb.ToString());
        }
        var byStep = data.Traces.GroupBy(t => t.Step).ToDictionary(g => g.Key, g => g.ToList());
        var withTraces = flagged.Where(r => byStep.ContainsKey(r.Step)).ToList();
        var shown = Spread(withTraces, context.Options.MaxTraceCheckpoints);
        sb.Append("<h3>Traces of the flagged estimates</h3>\n");
        sb.Append(Html.Note("λ per draw (nβ·(L(w_t) − L(w*) − control variate)) for each chain after burn-in. Healthy chains " +
            "overlap and fluctuate around the same level without a trend; a chain that wanders off, drifts or diverges is " +
            "what the verdict's reasons describe. Long chains are thinned to each bucket's minimum and maximum."));
        sb.Append("<div class=\"grid\">\n");
        foreach (var row in shown) sb.Append(context.Chart(Build(row, byStep[row.Step], context), "trace"));
        sb.Append("</div>\n");
        var missing = flagged.Where(r => !byStep.ContainsKey(r.Step)).OrderBy(r => r.Step).Select(r => I(r.Step)).ToList();
        if (missing.Count > 0)
            sb.Append(Html.Note($"No stored draws (llc_traces) for flagged step(s) {string.Join(", ", missing)}: traces were not kept or the estimate ran no draws.", "warning"));
        if (withTraces.Count > shown.Count)
        {
            var drawn = shown.Select(r => r.Step).ToHashSet();
            sb.Append(Html.Note($"{withTraces.Count - shown.Count} more flagged checkpoint(s) have traces that are not drawn (at most " +
                $"{context.Options.MaxTraceCheckpoints}, mostly untrusted ones, spread over the run): " +
                $"{string.Join(", ", withTraces.Where(r => !drawn.Contains(r.Step)).OrderBy(r => r.Step).Select(r => I(r.Step)))}.", "warning"));
        }
        return new SectionBody(true, sb.ToString());
    }

    internal static GenericChart Build(LlcRow row, IReadOnlyList<LlcTraceRow> draws, ReportContext context)
    {
        var charts = new List<GenericChart>();
        var notes = new List<string>();
        foreach (var chain in draws.GroupBy(d => d.Chain).OrderBy(g => g.Key))
        {
            var ordered = chain.OrderBy(d => d.Draw).ToList();
            var lambda = ordered.Select(d => d.Lambda).ToArray();
            int nonFinite = lambda.Count(v => !double.IsFinite(v));
            if (nonFinite > 0) notes.Add($"chain {chain.Key}: {nonFinite} non-finite");
            var keep = Downsample.MinMax(lambda, context.Options.MaxTracePointsPerChain);
            var accepted = ordered.Select(d => d.Acceptance).Where(double.IsFinite).ToList();
            string name = accepted.Count > 0 ? $"chain {chain.Key} ({Html.Number(accepted.Average(), "P0")} accepted)" : $"chain {chain.Key}";
            var c = Chart.Line<int, double, string>(keep.Select(i => ordered[i].Draw), keep.Select(i => context.Round(lambda[i])),
                Name: name, LineWidth: 1.2);
            charts.Add(c);
        }
        var chart = Chart.Combine(charts);
        string title = $"step {row.Step}: {StoreEnums.Format(row.Verdict)}, λ̂ {Html.Number(row.Mean, "G4")}";
        ChartStyle.Frame(chart, title, 340);
        ChartStyle.AxisTitle(chart, "xaxis", "draw (after burn-in)");
        ChartStyle.AxisTitle(chart, "yaxis", "λ per draw");
        if (notes.Count > 0 || row.Reasons.Length > 0)
        {
            string text = string.Join("; ", new[] { row.Reasons }.Concat(notes.Count > 0 ? [$"not drawn: {string.Join(", ", notes)} draw(s)"] : []).Where(s => s.Length > 0));
            ChartStyle.Annotations(chart, [new Dictionary<string, object>
            {
                ["xref"] = "paper", ["yref"] = "paper", ["x"] = 0, ["y"] = 1.0, ["xanchor"] = "left", ["yanchor"] = "bottom",
                ["showarrow"] = false, ["align"] = "left", ["text"] = Html.Escape(Shorten(text, 110)),
                ["font"] = new Dictionary<string, object> { ["size"] = 10, ["color"] = row.Verdict == LlcVerdict.Untrusted ? ChartStyle.Untrusted : ChartStyle.Doubtful },
            }]);
            chart.GetLayout().SetProperty("margin", new Dictionary<string, object> { ["l"] = 70, ["r"] = 30, ["t"] = 70, ["b"] = 60 });
        }
        return chart;
    }

    /// <summary>
    /// At most <paramref name="max"/> of the flagged estimates, in step order. Untrusted ones get the places a third of
    /// them goes to doubtful ones when both kinds are flagged (places one kind cannot fill go to the other); within a
    /// kind with more estimates than places, the chosen ones are evenly spaced over its steps (first and last included),
    /// so the traces show the whole run rather than its first checkpoints.
    /// </summary>
    internal static IReadOnlyList<LlcRow> Spread(IReadOnlyList<LlcRow> flagged, int max)
    {
        var untrusted = flagged.Where(r => r.Verdict == LlcVerdict.Untrusted).OrderBy(r => r.Step).ToList();
        var doubtful = flagged.Where(r => r.Verdict == LlcVerdict.Doubtful).OrderBy(r => r.Step).ToList();
        int doubtfulRoom = untrusted.Count == 0 ? doubtful.Count : max >= 2 ? Math.Min(doubtful.Count, Math.Max(1, max / 3)) : 0;
        int takeUntrusted = Math.Min(untrusted.Count, Math.Max(0, max - doubtfulRoom));
        int takeDoubtful = Math.Min(doubtful.Count, max - takeUntrusted);
        return Evenly(untrusted, takeUntrusted).Concat(Evenly(doubtful, takeDoubtful)).OrderBy(r => r.Step).ToList();
    }

    private static IEnumerable<LlcRow> Evenly(IReadOnlyList<LlcRow> rows, int count) =>
        count >= rows.Count ? rows
        : count <= 0 ? []
        : count == 1 ? [rows[0]]
        : Enumerable.Range(0, count).Select(i => rows[(int)Math.Round(i * (rows.Count - 1) / (double)(count - 1))]);

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    internal static string Verdict(LlcVerdict v) => $"<span class=\"verdict {StoreEnums.Format(v)}\">{StoreEnums.Format(v)}</span>";
}
