using System.Globalization;
using System.Text;
using DevInterp.Storage;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace DevInterp.Reports.Sections;

/// <summary>
/// Essential dynamics: the checkpoints' output trajectory in the plane of its first two principal components, coloured
/// by step, with the smoothed path and its flagged cusps, and the variance each component explains.
/// </summary>
public sealed class DynamicsSection : IReportSection
{
    /// <inheritdoc />
    public string Id => "dynamics";

    /// <inheritdoc />
    public string Title => "Essential dynamics";

    /// <inheritdoc />
    public SectionBody Render(ReportData data, ReportContext context)
    {
        if (data.Coordinates.Count == 0 && data.Variance.Count == 0)
            return SectionBody.Absent("the essential_dynamics tables are absent or empty (devinterp analyze fills them).");
        var sb = new StringBuilder();
        var raw = Path(data, TrajectoryKind.Raw);
        var smoothed = Path(data, TrajectoryKind.Smoothed);
        var flagged = data.Curvature.Where(c => c.Flagged).ToList();
        if (raw.Count > 0) sb.Append(context.Chart(Trajectory(raw, smoothed, flagged, context, data.Unit), "trajectory"));
        if (data.Variance.Count > 0) sb.Append(context.Chart(Variance(data.Variance, context), "explained-variance"));
        if (flagged.Count > 0)
        {
            sb.Append("<h3>Flagged turns</h3>\n");
            sb.Append(Html.Table(["step", "reason", "curvature κ", "turning angle", "radius"],
                flagged.Select(c => (IReadOnlyList<string>)
                [
                    c.Step.ToString(CultureInfo.InvariantCulture), Html.Escape(c.Reason), Html.Number(c.Curvature, "G4"),
                    Html.Number(c.TurningAngleDegrees, "F1") + "°", Html.Number(c.Radius, "G4"),
                ])));
        }
        else if (data.Curvature.Count > 0)
        {
            sb.Append(Html.Note("No turn of the smoothed path was flagged as a candidate transition."));
        }
        sb.Append(Html.Note("Each point is a checkpoint's model outputs on the probe batch, projected on the principal components of the " +
            "whole trajectory; colour runs from early (dark) to late (yellow) steps on a log scale. The line is the smoothed path whose " +
            "curvature is measured; red crosses mark its flagged cusps and sharp turns (candidate developmental transitions)."));
        return new SectionBody(true, sb.ToString());
    }

    private static List<(long Step, double X, double Y)> Path(ReportData data, TrajectoryKind kind)
    {
        var rows = data.Coordinates.Where(c => c.Kind == kind).GroupBy(c => c.Step).OrderBy(g => g.Key);
        var points = new List<(long, double, double)>();
        foreach (var g in rows)
        {
            double pc1 = g.FirstOrDefault(c => c.Component == 1)?.Value ?? double.NaN;
            // With one component the trajectory is drawn against the step index instead of PC2.
            double pc2 = g.FirstOrDefault(c => c.Component == 2)?.Value ?? double.NaN;
            points.Add((g.Key, pc1, pc2));
        }
        return points;
    }

    private static GenericChart Trajectory(List<(long Step, double X, double Y)> raw, List<(long Step, double X, double Y)> smoothed,
        IReadOnlyList<DynamicsCurvatureRow> flagged, ReportContext context, string unit)
    {
        bool hasPc2 = raw.Any(p => double.IsFinite(p.Y));
        double Y((long Step, double X, double Y) p, int i) => hasPc2 ? p.Y : i;
        var charts = new List<GenericChart>();
        var rawPoints = raw.Select((p, i) => (p.Step, p.X, Y: Y(p, i))).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var smoothPoints = smoothed.Select((p, i) => (p.Step, p.X, Y: Y(p, i))).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        if (smoothPoints.Count > 0)
        {
            var line = Chart.Line<double, double, string>(smoothPoints.Select(p => context.Round(p.X)), smoothPoints.Select(p => context.Round(p.Y)),
                Name: "smoothed path", LineColor: Color.fromString("rgba(90, 90, 90, 0.7)"), LineWidth: 2,
                MultiText: smoothPoints.Select(p => $"smoothed, {unit} {p.Step}").ToArray());
            ChartStyle.HoverText(line);
            charts.Add(line);
        }
        var colour = rawPoints.Select(p => Math.Log10(StepAxis.X(p.Step))).ToArray();
        var dots = Chart.Point<double, double, string>(rawPoints.Select(p => context.Round(p.X)), rawPoints.Select(p => context.Round(p.Y)),
            Name: "checkpoints", MarkerColor: Color.fromColorScaleValues(colour), MarkerColorScale: StyleParam.Colorscale.Viridis,
            MultiText: rawPoints.Select(p => string.Create(CultureInfo.InvariantCulture, $"{unit} {p.Step}<br>PC1 {p.X:G4}, {(hasPc2 ? "PC2" : "index")} {p.Y:G4}")).ToArray());
        ChartStyle.MarkerSize(dots, 9, outline: "#333");
        if (rawPoints.Count > 0)
        {
            var (values, labels) = StepAxis.Ticks(rawPoints.Min(p => p.Step), rawPoints.Max(p => p.Step));
            var marker = dots.GetTraces().Single().TryGetTypedPropertyValue<Plotly.NET.TraceObjects.Marker>("marker")!.Value;
            marker.SetProperty("showscale", true);
            marker.SetProperty("colorbar", new Dictionary<string, object>
            {
                ["title"] = new Dictionary<string, object> { ["text"] = unit }, ["tickmode"] = "array",
                ["tickvals"] = values.Select(Math.Log10).ToArray(), ["ticktext"] = labels, ["len"] = 0.8,
            });
        }
        ChartStyle.HoverText(dots);
        charts.Add(dots);
        var smoothByStep = smoothPoints.ToDictionary(p => p.Step);
        var cusps = flagged.Where(f => smoothByStep.ContainsKey(f.Step)).ToList();
        if (cusps.Count > 0)
        {
            var marks = Chart.Point<double, double, string>(cusps.Select(f => context.Round(smoothByStep[f.Step].X)), cusps.Select(f => context.Round(smoothByStep[f.Step].Y)),
                Name: "flagged turn", MarkerSymbol: StyleParam.MarkerSymbol.X, MarkerColor: Color.fromString(ChartStyle.Untrusted),
                MultiText: cusps.Select(f => Html.Escape(string.Create(CultureInfo.InvariantCulture, $"{unit} {f.Step}: {f.Reason}, turn {f.TurningAngleDegrees:F0}°"))).ToArray());
            ChartStyle.MarkerSize(marks, 15);
            ChartStyle.HoverText(marks);
            charts.Add(marks);
        }
        var chart = Chart.Combine(charts);
        ChartStyle.Frame(chart, hasPc2 ? "Trajectory in the PC1–PC2 plane" : "Trajectory on PC1 (one component kept)", 520);
        ChartStyle.AxisTitle(chart, "xaxis", "PC1");
        ChartStyle.AxisTitle(chart, "yaxis", hasPc2 ? "PC2" : "checkpoint index");
        if (cusps.Count > 0)
        {
            ChartStyle.Annotations(chart, cusps.Select(f => (object)new Dictionary<string, object>
            {
                ["x"] = context.Round(smoothByStep[f.Step].X), ["y"] = context.Round(smoothByStep[f.Step].Y), ["xref"] = "x", ["yref"] = "y",
                ["text"] = string.Create(CultureInfo.InvariantCulture, $"{unit} {f.Step}"), ["showarrow"] = true, ["arrowhead"] = 0, ["ax"] = 24, ["ay"] = -24,
                ["font"] = new Dictionary<string, object> { ["size"] = 11, ["color"] = ChartStyle.Untrusted },
            }));
        }
        return chart;
    }

    private static GenericChart Variance(IReadOnlyList<DynamicsVarianceRow> rows, ReportContext context)
    {
        var ordered = rows.OrderBy(r => r.Component).ToList();
        var chart = Chart.Column<double, string, string>(ordered.Select(r => context.Round(100 * r.ExplainedVarianceRatio)),
            ordered.Select(r => $"PC{r.Component}").ToArray(), Name: "explained variance",
            MarkerColor: Color.fromString(ChartStyle.Trusted),
            MultiText: ordered.Select(r => string.Create(CultureInfo.InvariantCulture, $"{100 * r.ExplainedVarianceRatio:F1}%")).ToArray());
        ChartStyle.Frame(chart, "Variance explained by each principal component", 320, legend: false);
        ChartStyle.AxisTitle(chart, "yaxis", "% of total variance");
        return chart;
    }
}
