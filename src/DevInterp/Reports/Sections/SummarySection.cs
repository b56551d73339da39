using System.Text;
using System.Text.Json;
using DevInterp.Storage;

namespace DevInterp.Reports.Sections;

/// <summary>Run summary: name, model, task, steps, checkpoints, failures and versions (analysis.json and the checkpoints table).</summary>
public sealed class SummarySection : IReportSection
{
    /// <inheritdoc />
    public string Id => "summary";

    /// <inheritdoc />
    public string Title => "Run summary";

    /// <inheritdoc />
    public SectionBody Render(ReportData data, ReportContext context)
    {
        var c = data.Config;
        var rows = new List<(string, string)> { ("analysis", Html.Escape(data.Name)), ("folder", Code(data.Folder)) };
        if (c is not null)
        {
            rows.Add(("run", Code(c.Run.Path) + (c.Run.Key is null ? "" : $" (state dict at key {Code(c.Run.Key)})")));
            rows.Add(("model", Code(Compact(c.Model))));
            rows.Add(("task", Code(Compact(c.Task))));
            if (c.NameMap is not null) rows.Add(("name map", Code(Compact(c.NameMap))));
            rows.Add(("dtype", Html.Escape(c.DType)));
        }
        var steps = data.AllSteps;
        if (steps.Count > 0) rows.Add((data.Unit + "s", Html.Escape($"{steps[0]} … {steps[^1]}")));
        int ok = data.Checkpoints.Count(r => r.Status == CheckpointStatus.Ok);
        int failed = data.Checkpoints.Count - ok;
        string listed = c is null ? "" : $" of {c.Run.Checkpoints.Count} listed in analysis.json";
        rows.Add(("checkpoints", Html.Escape($"{data.Checkpoints.Count} visited{listed}: {ok} ok, {failed} failed")));
        if (c is not null)
        {
            rows.Add(("settings", Html.Escape(Settings(c))));
            rows.Add(("software", Html.Escape($"DevInterp {c.Software.DevInterp}, TorchSharp {c.Software.TorchSharp}, {c.Software.Runtime}")));
        }
        rows.Add(("tables", Html.Escape(Tables(data))));
        rows.Add(("report", Html.Escape($"drawn by DevInterp {Analysis.SoftwareVersions.Current.DevInterp} with plotly.js {PlotlyJs.Version} (inlined; the page makes no network requests)")));

        var sb = new StringBuilder();
        if (c is null) sb.Append(Html.Note($"{Analysis.AnalysisConfig.FileName} is missing: model, task, settings and versions are unknown.", "warning"));
        sb.Append(Html.KeyValues(rows));

        var failures = data.Checkpoints.Where(r => r.Status == CheckpointStatus.Failed).ToList();
        var visited = data.Checkpoints.Select(r => r.Step).ToHashSet();
        var notVisited = c is null || data.Checkpoints.Count == 0 ? [] : c.Run.Checkpoints.Where(s => !visited.Contains(s.Step)).ToList();
        if (failures.Count + notVisited.Count > 0)
        {
            sb.Append("<h3>Checkpoints failed or skipped</h3>\n");
            sb.Append(Html.Table(["step", "file", "status", "reason"],
                failures.Select(f => (IReadOnlyList<string>)[f.Step.ToString(System.Globalization.CultureInfo.InvariantCulture), Code(f.File), "<span class=\"bad\">failed</span>", Html.Escape(f.Error)])
                    .Concat(notVisited.Select(s => (IReadOnlyList<string>)[s.Step.ToString(System.Globalization.CultureInfo.InvariantCulture), Code(s.File), "skipped",
                        "listed in analysis.json but absent from the checkpoints table (not analysed yet, or left out)"]))));
        }
        else
        {
            sb.Append(Html.Note("No checkpoint failed or was skipped."));
        }
        return new SectionBody(true, sb.ToString());
    }

    private static string Code(string text) => $"<code>{Html.Escape(text)}</code>";

    // Relaxed escaping: the text is HTML-escaped afterwards, so "+" and "<" need no \u escapes (a name map's "a+b" stays "a+b").
    private static readonly JsonSerializerOptions CompactJson = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Compact(System.Text.Json.Nodes.JsonNode node) => node.ToJsonString(CompactJson);

    private static string Settings(Analysis.AnalysisConfig c)
    {
        var parts = new List<string>();
        var l = c.Llc;
        if (l.Enabled)
        {
            string eps = l.StepSize is { } e ? $"ε {Html.Number(e)}" : $"ε calibrated at step {(l.CalibrateAt is { } at ? at.ToString(System.Globalization.CultureInfo.InvariantCulture) : "last")}";
            parts.Add($"LLC: {l.Sampler}, {l.Chains} chains × {l.Draws} draws (burn-in {l.BurnIn}), {eps}, γ {Html.Number(l.Localization)}, nβ {(l.NBeta is { } nb ? Html.Number(nb) : "n/ln n")}, seed {l.Seed}");
        }
        if (c.Similarity.Enabled) parts.Add($"similarity: {string.Join(", ", c.Similarity.EffectiveMeasures)} on {c.Similarity.ProbeCount} probes, layers {c.Similarity.Layers ?? "default"}");
        if (c.Dynamics.Enabled) parts.Add($"dynamics: {c.Dynamics.Components} components, smoothing σ {Html.Number(c.Dynamics.SmoothingSigma)} along {c.Dynamics.SmoothingAxis}");
        if (c.Stages.Enabled) parts.Add($"stages: {c.Stages.Method} with {c.Stages.Cost} cost");
        return parts.Count == 0 ? "every analysis disabled" : string.Join("; ", parts);
    }

    private static string Tables(ReportData d)
    {
        var counts = new (string Name, long Rows)[]
        {
            ("checkpoints", d.Checkpoints.Count), ("llc", d.Llc.Count), ("llc_traces", d.TraceRowCount), ("calibration", d.Calibration.Count),
            ("similarity", d.Similarity.Count), ("essential_dynamics", d.Coordinates.Count), ("essential_dynamics_variance", d.Variance.Count),
            ("essential_dynamics_curvature", d.Curvature.Count), ("stages", d.Stages.Count),
        };
        return string.Join(", ", counts.Select(t => t.Rows == 0 ? $"{t.Name} (absent or empty)" : $"{t.Name} {t.Rows:N0} rows"));
    }
}
