namespace DevInterp.Reports;

/// <summary>
/// The plotly.js bundle that ships inside the Plotly.NET assembly (an embedded resource), so that a report can inline it
/// once and work offline: Plotly.NET's own HTML output would reference a CDN or inline the script once per chart.
/// </summary>
public static class PlotlyJs
{
    private static readonly Lazy<string> Text = new(Load);

    /// <summary>The plotly.js version bundled with the referenced Plotly.NET (for example 2.28.0).</summary>
    public static string Version => global::Globals.PLOTLYJS_VERSION;

    /// <summary>The minified plotly.js source, safe to place inside a <c>&lt;script&gt;</c> element.</summary>
    public static string Script => Text.Value;

    private static string Load()
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        string name = $"Plotly.NET.plotly-{Version}.min.js";
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException(
                $"the Plotly.NET assembly has no embedded resource '{name}' (resources: {string.Join(", ", assembly.GetManifestResourceNames())})");
        using var reader = new StreamReader(stream);
        // An HTML parser ends a script element at the first "</script": escape it (a no-op for the shipped bundle).
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    }
}
