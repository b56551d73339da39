using DevInterp.Reports;
using Xunit.Abstractions;

namespace DevInterp.Tests.Reports;

public class ReportScratchTests(ITestOutputHelper output)
{
    [Fact]
    public void Scratch()
    {
        string dir = "/tmp/report-scratch";
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        Directory.CreateDirectory(dir);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        ReportSamples.Write(dir);
        output.WriteLine($"store {sw.ElapsedMilliseconds} ms");
        sw.Restart();
        var data = ReportData.Load(dir);
        output.WriteLine($"load {sw.ElapsedMilliseconds} ms");
        sw.Restart();
        var first = AnalysisReport.Render(data);
        output.WriteLine($"render 1 {sw.ElapsedMilliseconds} ms");
        sw.Restart();
        var second = AnalysisReport.Render(data);
        output.WriteLine($"render 2 {sw.ElapsedMilliseconds} ms");
        sw.Restart();
        foreach (var sec in AnalysisReport.DefaultSections)
        {
            var ctx = new ReportContext(new ReportOptions());
            sw.Restart();
            sec.Render(data, ctx);
            output.WriteLine($"section {sec.Id} {sw.ElapsedMilliseconds} ms");
        }
        sw.Restart();
        var json = Plotly.NET.GenericChart.toFigureJson(Plotly.NET.CSharp.Chart.Line<double,double,string>(new double[]{1,2}, new double[]{1,2}));
        output.WriteLine($"tiny json {sw.ElapsedMilliseconds} ms");
        sw.Restart();
        var big = Plotly.NET.CSharp.Chart.Line<double,double,string>(Enumerable.Range(0,3200).Select(i=>(double)i), Enumerable.Range(0,3200).Select(i=>(double)i));
        output.WriteLine($"big chart {sw.ElapsedMilliseconds} ms");
        sw.Restart();
        json = Plotly.NET.GenericChart.toFigureJson(big);
        output.WriteLine($"big json {sw.ElapsedMilliseconds} ms");
        var tiny = Plotly.NET.CSharp.Chart.Line<double,double,string>(new double[]{1,2}, new double[]{1,2});
        Plotly.NET.CSharp.GenericChartExtensions.GetLayout(tiny).RemoveProperty("template");
        sw.Restart();
        json = Plotly.NET.GenericChart.toFigureJson(tiny);
        output.WriteLine($"tiny json without template {sw.ElapsedMilliseconds} ms {json.Length}");
        sw.Restart();
        for (int k = 0; k < 5; k++) json = Newtonsoft.Json.JsonConvert.SerializeObject(Plotly.NET.GenericChart.toFigure(big));
        output.WriteLine($"5x plain newtonsoft {sw.ElapsedMilliseconds} ms");
        sw.Restart();
        var result = AnalysisReport.Write(dir);
        output.WriteLine($"report {sw.ElapsedMilliseconds} ms, {result.Bytes} bytes, {result.Charts.Count} charts");
        foreach (var c in result.Charts) output.WriteLine($"{c.Id} {c.Kind} {c.JsonChars}");
        foreach (var s in result.Sections) output.WriteLine($"{s.Id} {s.Present} {s.Charts}");
    }
}
