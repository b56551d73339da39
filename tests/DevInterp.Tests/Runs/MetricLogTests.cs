using DevInterp.Checkpoints;
using DevInterp.Runs;
using DevInterp.Runs.Metrics;

namespace DevInterp.Tests.Runs;

/// <summary>The readers and the matching rules behind a run's logged metrics (docs/run-manifest.md, "Metrics").</summary>
public class MetricLogTests
{
    private static List<RunCheckpoint> At(StepUnit unit, params long[] steps) =>
        steps.Select(s => new RunCheckpoint(s, unit, $"/nowhere/{s}.pt", "name")).ToList();

    private static string Text(string name, string content)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void CsvKeepsNumericColumnsDropsTextOnesAndReadsPythonsNan()
    {
        string path = Text("log.csv", "step,loss,\"note, quoted\",acc,time\n0,1.5,a,nan,2024-01-01\n10,0.5,b,0.9,2024-01-02\n20,,c,1.0,2024-01-03\n");

        var log = TextMetricLogs.ReadCsv(path, out _)!;

        Assert.Equal([0L, 10, 20], log.Records.Select(r => r.Step!.Value));
        Assert.Equal(["acc", "loss"], log.Records[0].Values.Keys.Order());
        Assert.True(double.IsNaN(log.Records[0].Values["acc"]));
        Assert.Equal(["acc"], log.Records[2].Values.Keys); // an empty cell is no value
    }

    [Fact]
    public void CsvWithoutAStepOrEpochColumnIsData()
    {
        Assert.Null(TextMetricLogs.ReadCsv(Text("data.csv", "x,y\n1,2\n3,4\n"), out string why));
        Assert.Equal("no step or epoch column", why);
    }

    [Fact]
    public void JsonLinesGiveRowsWithStepAndEpoch()
    {
        var log = TextMetricLogs.ReadJsonLines(Text("log.jsonl", "{\"epoch\": 1, \"step\": 100, \"loss\": 0.5, \"phase\": \"train\"}\n\n{\"epoch\": 2, \"val/acc\": 0.75}\n"), out _)!;

        Assert.Equal(2, log.Records.Count);
        Assert.Equal((100L, 1L), (log.Records[0].Step!.Value, log.Records[0].Epoch!.Value));
        Assert.Equal(0.75, log.Records[1].Values["val_acc"]);
        Assert.Null(log.Records[1].Step);
    }

    [Fact]
    public void AJsonConfigIsNotAMetricLog()
    {
        Assert.Null(TextMetricLogs.ReadJson(Text("args.json", "{\"lr\": 0.1, \"hidden\": 8, \"layers\": [8, 8]}"), out _));
    }

    [Fact]
    public void ARowDescribesTheCheckpointAtOrJustAfterIt()
    {
        var checkpoints = At(StepUnit.Step, 0, 100, 200);
        MetricRecord Row(long step, double loss) => new(step, null, new Dictionary<string, double> { ["loss"] = loss });

        var (byStep, notes) = MetricMatcher.Match(checkpoints, StepUnit.Step,
            [("log.csv", [Row(0, 3), Row(40, 2.5), Row(99, 2), Row(150, 1.5), Row(250, 1)])]);

        Assert.Equal(3, byStep[0]["loss"]);
        Assert.Equal(2, byStep[100]["loss"]);       // logged at 99, one step before the checkpoint
        Assert.Equal(1.5, byStep[200]["loss"]);     // the last value after the previous checkpoint
        Assert.Equal("log.csv: loss for 3 of 3 checkpoints", Assert.Single(notes));
    }

    [Fact]
    public void AnEarlierLogWinsAndALogWithoutTheRunsUnitIsNotUsed()
    {
        var checkpoints = At(StepUnit.Epoch, 1, 2);
        var (byStep, notes) = MetricMatcher.Match(checkpoints, StepUnit.Epoch,
        [
            ("first", [new MetricRecord(null, 1, new Dictionary<string, double> { ["acc"] = 0.5 })]),
            ("second", [new MetricRecord(null, 1, new Dictionary<string, double> { ["acc"] = 0.9, ["loss"] = 1 })]),
            ("steps only", [new MetricRecord(7, null, new Dictionary<string, double> { ["acc"] = 0.1 })]),
        ]);

        Assert.Equal(0.5, byStep[1]["acc"]);
        Assert.Equal(1, byStep[1]["loss"]);
        Assert.Equal("steps only: its rows give no epoch, and the run counts epochs; not used", notes[2]);
    }

    [Fact]
    public void AListThatContradictsTheCheckpointsOwnValuesIsNotUsed()
    {
        var checkpoints = At(StepUnit.Epoch, 0, 2, 4);
        var series = new Dictionary<string, double[]> { ["train_loss"] = [5, 4, 3, 2, 1] };
        var scalars = new Dictionary<long, IReadOnlyDictionary<string, double>> { [2] = new Dictionary<string, double> { ["train_loss"] = 3.5 } };

        var (records, note) = SeriesPlacement.Place(series, checkpoints, StepUnit.Epoch, null,
            c => scalars.TryGetValue(c.Step, out var s) ? s : new Dictionary<string, double>(), "final.pth");

        Assert.Empty(records);
        Assert.Contains("match the checkpoints' own values at no alignment; not used", note);
    }

    [Fact]
    public void AListAsLongAsTheCheckpointsAreManyIsOneValuePerCheckpoint()
    {
        var checkpoints = At(StepUnit.Step, 0, 500, 1000);

        var (records, note) = SeriesPlacement.Place(new Dictionary<string, double[]> { ["val_loss"] = [3, 2, 1] }, checkpoints,
            StepUnit.Step, null, _ => new Dictionary<string, double>(), "history.pt");

        Assert.Equal([0L, 500, 1000], records.Select(r => r.Step!.Value));
        Assert.Equal([3.0, 2, 1], records.Select(r => r.Values["val_loss"]));
        Assert.Contains("one value per checkpoint", note);
    }

    [Fact]
    public void AListWhosePositionsTheLengthsLeaveOpenIsNotUsed()
    {
        var (records, note) = SeriesPlacement.Place(new Dictionary<string, double[]> { ["loss"] = [3, 2, 1, 0.5] },
            At(StepUnit.Step, 0, 500, 1000), StepUnit.Step, null, _ => new Dictionary<string, double>(), "summary.pkl");

        Assert.Empty(records);
        Assert.Equal("summary.pkl: loss: 4 values whose steps cannot be told (3 checkpoints); not used", note);
    }

    [Fact]
    public void MetadataMetricsAreTopLevelAndMetricsDictScalarsNotSettings()
    {
        var metadata = new Dictionary<string, MetadataValue>
        {
            ["epoch"] = new MetadataValue.Integer(3),
            ["global_step"] = new MetadataValue.Integer(1200),
            ["trainLoss"] = new MetadataValue.Real(0.25),
            ["metrics.val_acc"] = new MetadataValue.Real(0.9),
            ["config.lr"] = new MetadataValue.Real(0.01),
            ["is_best"] = new MetadataValue.Flag(true),
            ["note"] = new MetadataValue.Text("run 1"),
            ["sv_1"] = new MetadataValue.Text("2.5"), // safetensors metadata is text
        };

        Assert.Equal(new SortedDictionary<string, double> { ["epoch"] = 3, ["sv_1"] = 2.5, ["train_loss"] = 0.25, ["val_acc"] = 0.9 },
            MetadataMetrics.From(metadata));
    }

    [Theory]
    [InlineData("train_losses", "train_loss")]
    [InlineData("test_accs", "test_acc")]
    [InlineData("accuracies", "accuracy")]
    [InlineData("train_loss", "train_loss")]
    [InlineData("grad_norms", "grad_norm")]
    public void ListNamesBecomeSingularMetricNames(string list, string metric)
    {
        Assert.Equal(metric, MetricNames.Singular(list));
    }
}
