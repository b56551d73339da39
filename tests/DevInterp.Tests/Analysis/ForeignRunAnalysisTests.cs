using System.Text.Json;
using DevInterp.Cli;
using DevInterp.Storage;
using DevInterp.Tests.Cli;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// From a foreign run folder (Fixtures/runs/tanh_mlp: checkpoints/epoch_init.pt ... one level down, whitespace text data
/// and a train_log.jsonl beside them) to the tables and the report with one config file: the logged metrics reach the
/// checkpoints table, the report's loss and accuracy chart and the stage signals without being named.
/// </summary>
[Collection(GlobalTorchState.Name)]
public class ForeignRunAnalysisTests
{
    [Fact]
    public void TanhRunFromItsTopFolderToAReportWithItsLoggedMetrics()
    {
        string run = TestPaths.Fixture("runs/tanh_mlp");
        string dir = TestPaths.NewTempDir();
        string config = Path.Combine(dir, "config.json");
        File.WriteAllText(config, $$"""
            {
              "run": { "path": {{JsonSerializer.Serialize(run)}} },
              "model": { "type": "mlp", "widths": [3, 6, 3], "activation": "tanh" },
              "name_map": { "rules": [ { "regex": "^(\\d+)\\.(weight|bias)$", "to": "layers.$1.$2" } ] },
              "task": { "type": "file", "loss": "cross_entropy",
                        "train": { "path": "train.txt", "header": false, "targets": -1 },
                        "test": { "path": "test.txt", "header": false, "targets": -1 } },
              "llc": { "enabled": false },
              "similarity": { "probe_count": 16 },
              "dynamics": { "components": 2 }
            }
            """);
        string outDir = Path.Combine(dir, "tanh");

        var r = CliRunner.Run("analyze", "--out", outDir, "--config", config, "--quiet");

        Assert.True(r.ExitCode == ExitCodes.Success, r.Err);
        var rows = AnalysisStore.Open(outDir).Read<CheckpointRow>().OrderBy(c => c.Step).ToList();
        Assert.Equal([0L, 1, 2, 3], rows.Select(c => c.Step));
        Assert.Equal("checkpoints/epoch_2.pt", rows[2].File);
        Assert.Equal(0.7362081408500671, rows[2].Metrics["train_loss"]); // from train_log.jsonl
        Assert.Equal(0.375, rows[2].Metrics["test_acc"]);
        Assert.Equal(1759, rows[2].SizeBytes);
        string report = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("test_acc", report);
        var stages = CliRunner.Run("stages", outDir, "--json");
        using var doc = JsonDocument.Parse(stages.Out);
        var signals = doc.RootElement.GetProperty("signals").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Contains("loss", signals);     // train_loss from the log
        Assert.Contains("test_acc", signals);
    }
}
