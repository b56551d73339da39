using DevInterp.Reports;
using Plotly.NET;
using Xunit.Abstractions;

namespace DevInterp.Tests.Reports;

public class ReportScratchTests(ITestOutputHelper output)
{
    [Fact]
    public void Scratch()
    {
        var tiny = Plotly.NET.CSharp.Chart.Line<double,double,string>(new double[]{1,2}, new double[]{1,2});
        var layout = Plotly.NET.CSharp.GenericChartExtensions.GetLayout(tiny);
        var t = layout.TryGetPropertyValue("template");
        output.WriteLine($"template null? {t is null}");
        if (t is not null) output.WriteLine($"{t.Value.GetType().FullName} same={ReferenceEquals(t.Value, Defaults.DefaultTemplate)} deftype={Defaults.DefaultTemplate.GetType().FullName}");
        foreach (var kv in layout.GetProperties(true)) output.WriteLine($"prop {kv.Key} {kv.Value?.GetType().FullName}");
        var combined = Plotly.NET.CSharp.Chart.Combine(new[]{tiny, Plotly.NET.CSharp.Chart.Line<double,double,string>(new double[]{1,2}, new double[]{1,2})});
        var l2 = Plotly.NET.CSharp.GenericChartExtensions.GetLayout(combined);
        foreach (var kv in l2.GetProperties(true)) output.WriteLine($"combined prop {kv.Key} {kv.Value?.GetType().FullName}");
        var tiny2 = Plotly.NET.CSharp.Chart.Point<double,double,string>(new double[]{1,2}, new double[]{1,2});
        var t2 = Plotly.NET.CSharp.GenericChartExtensions.GetLayout(tiny2).TryGetPropertyValue("template");
        output.WriteLine($"SAME two charts={ReferenceEquals(t!.Value, t2!.Value)} SAME defaults twice={ReferenceEquals(Defaults.DefaultTemplate, Defaults.DefaultTemplate)}");
        var t3 = l2.TryGetPropertyValue("template");
        output.WriteLine($"SAME combined={ReferenceEquals(t!.Value, t3!.Value)}");
        output.WriteLine("SAME hash " + ((Template)t.Value).GetHashCode() + " " + Defaults.DefaultTemplate.GetHashCode() + " eq " + t.Value.Equals(Defaults.DefaultTemplate));
        output.WriteLine(GenericChart.toFigureJson(tiny).Length.ToString());
    }
}
