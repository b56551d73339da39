using System.Diagnostics;
using System.Text.Json;
using Apache.Arrow.Ipc;
using DevInterp.Storage;
using Xunit.Abstractions;

namespace DevInterp.Tests.Storage;

/// <summary>
/// Reads the store's Arrow files with a second, independent implementation (apache-arrow for JavaScript, run by
/// .ci/arrow-check/check.mjs) and compares every cell with the C# side's JSON dump. Needs node and
/// <c>npm ci</c> in .ci/arrow-check, which <see cref="NodeCheckSetup"/> runs when the packages are missing; a checker
/// that cannot be made to run fails the test.
/// </summary>
public class ArrowNodeCheckTests(ITestOutputHelper output)
{
    internal static string CheckDir => Path.Combine(TestPaths.RepoRoot, ".ci", "arrow-check");

    internal static bool Ready()
    {
        // Installs what is missing (npm ci) so that a fresh clone's `dotnet test` runs the check; fails if it cannot.
        if (NodeCheckSetup.Ensure(CheckDir, chromium: false) is { } problem)
            Assert.Fail($"the independent Arrow check cannot run: {problem} (see .ci/run)");
        return true;
    }

    [Fact]
    public void JavaScriptArrowReadsEveryCellAsTheCSideWroteIt()
    {
        if (!Ready()) return;
        string dir = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(dir);
        StoreSamples.WriteAll(store);
        store.Consolidate();
        string dump = Path.Combine(TestPaths.NewTempDir(), "dump.json");
        AnalysisStoreDump.Write(store, dump);

        long cells;
        using (var json = JsonDocument.Parse(File.ReadAllText(dump)))
        {
            var tables = json.RootElement.GetProperty("tables");
            Assert.Equal(AnalysisTables.All.Select(t => t.Name), tables.EnumerateObject().Select(t => t.Name));
            cells = tables.EnumerateObject().Sum(t => t.Value.GetProperty("rows").GetInt64() * t.Value.GetProperty("columns").GetArrayLength());
        }
        int parts = AnalysisTables.All.Sum(t => store.Parts(t.Name).Count);

        var (code, stdout, stderr) = RunCheck(dir, dump);
        output.WriteLine(stdout);
        Assert.True(code == 0, $"arrow-check failed:\n{stdout}\n{stderr}");
        Assert.Contains($"arrow-check: {AnalysisTables.All.Count} tables, {cells} cells compared, {parts} part files read", stdout);
        Assert.Contains("arrow-check: llc: 3 rows × 33 columns, all cells equal", stdout);

        // Print mode: the unicode layer names and the int64 above 2^53 come through as written.
        var (printCode, printed, _) = RunCheck(dir, null);
        Assert.Equal(0, printCode);
        Assert.Contains("\"layer\":\"emb 🙂\"", printed);
        Assert.Contains($"\"seed\":\"{StoreSamples.BigSeed}\"", printed);
    }

    [Fact]
    public void TheCheckFailsOnAWrongValueAndOnAStreamFormatFile()
    {
        if (!Ready()) return;
        string dir = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(dir);
        store.Write(PartKey.ForStep(0), [StoreSamples.Llc[0]]);
        store.Consolidate();
        string dump = Path.Combine(TestPaths.NewTempDir(), "dump.json");
        File.WriteAllText(dump, AnalysisStoreDump.ToJson(store).Replace("41.25", "41.26"));
        var (code, _, stderr) = RunCheck(dir, dump);
        Assert.Equal(1, code);
        Assert.Contains("table llc, column mean, row 0: arrow-js read 41.25, dump has 41.26", stderr);

        // The same table in the IPC stream format (no footer) is refused: readers like pandas.read_feather need the file format.
        string streamDir = TestPaths.NewTempDir();
        var batch = store.ReadRecordBatches("llc").Single();
        using (var file = File.Create(Path.Combine(streamDir, "llc.arrow")))
        using (var writer = new ArrowStreamWriter(file, batch.Schema))
        {
            writer.WriteRecordBatch(batch);
            writer.WriteEnd();
        }
        var (streamCode, _, streamErr) = RunCheck(streamDir, null);
        Assert.Equal(1, streamCode);
        Assert.Contains("not an Arrow IPC file", streamErr);
    }

    internal static (int Code, string Stdout, string Stderr) RunCheck(string folder, string? dump)
    {
        var info = new ProcessStartInfo(NodeCheckSetup.Node!)
        {
            WorkingDirectory = CheckDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(CheckDir, "check.mjs"));
        info.ArgumentList.Add(folder);
        if (dump is not null) info.ArgumentList.Add(dump);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            Assert.Fail("hang guard: check.mjs ran for 2 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
