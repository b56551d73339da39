using System.Text;
using DevInterp.Storage;

namespace DevInterp.Tests.Storage;

/// <summary>
/// A writer that a test kills with SIGKILL: like an analysis, it skips the units already stored and writes one
/// <c>llc_traces</c> part per step, plus a large analysis.json replaced after each part.
/// </summary>
internal static class StoreCrashProbe
{
    public const int RowsPerPart = 20_000;

    /// <summary>The rows of step <paramref name="step"/>, in key order: every value derivable from the step, chain and draw.</summary>
    public static IEnumerable<LlcTraceRow> Rows(long step)
    {
        for (int i = 0; i < RowsPerPart; i++)
        {
            int chain = i / (RowsPerPart / 4), draw = i % (RowsPerPart / 4);
            double loss = step + draw * 1e-3;
            yield return new LlcTraceRow(step, chain, draw, loss, step, chain, 10 * (loss - step - chain));
        }
    }

    /// <summary>analysis.json after step <paramref name="step"/>: long enough that writing it takes a while; ends with a marker.</summary>
    public static string Summary(long step) =>
        "{\"last_step\": " + step + ", \"padding\": \"" + new string('x', 2_000_000) + "\", \"end\": true}";

    public static int Run(string folder, int limit)
    {
        var store = AnalysisStore.Open(folder);
        var stop = DateTime.UtcNow + TimeSpan.FromMinutes(2); // hang guard: the test kills us long before
        for (long step = 0; step < limit && DateTime.UtcNow < stop; step++)
        {
            string key = PartKey.ForStep(step);
            if (store.HasPart<LlcTraceRow>(key)) continue;
            store.Write(key, Rows(step));
            AtomicFile.WriteAllText(Path.Combine(folder, "analysis.json"), Summary(step));
            Console.Out.WriteLine($"wrote {step}");
            Console.Out.Flush();
        }
        return 0;
    }
}
