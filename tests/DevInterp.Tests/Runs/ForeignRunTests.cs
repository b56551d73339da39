using DevInterp.Checkpoints;
using DevInterp.Runs;
using DevInterp.Runs.Metrics;

namespace DevInterp.Tests.Runs;

/// <summary>
/// Run folders in the layouts other people's training code leaves, written by real PyTorch 1.13
/// (Fixtures/runs/make_run_fixtures.py, whose printed values the literals below copy).
/// </summary>
public class ForeignRunTests
{
    private static string Fixture(string name) => TestPaths.Fixture("runs/" + name);

    private static Dictionary<string, string> SkippedByName(Run run) =>
        run.Skipped.ToDictionary(s => Path.GetRelativePath(run.Directory, s.Path).Replace('\\', '/'), s => s.Reason);

    private static SortedDictionary<string, double> MetricsAt(Run run, long step)
    {
        var checkpoint = run.Checkpoints.Single(c => c.Step == step);
        using var reader = checkpoint.Open();
        return MetadataMetrics.Merge(checkpoint, reader.Metadata);
    }

    [Fact]
    public void GrokkingRunOfBareNumbersAndFinalPthIsOrderedByEpochWithTheDataFilesSkipped()
    {
        var run = Run.Open(Fixture("grokking"));

        Assert.Equal(StepUnit.Epoch, run.Unit);
        Assert.Equal(new[] { ("0.pth", 0L, "name"), ("200.pth", 200L, "name"), ("400.pth", 400L, "name"), ("final.pth", 600L, "metadata") },
            run.Checkpoints.Select(c => (c.Name, c.Step, c.StepSource)));
        var skipped = SkippedByName(run);
        Assert.Equal(["test_data.pth", "train_data.pth"], skipped.Keys.Order());
        Assert.All(skipped.Values, r => Assert.StartsWith("data file, not a checkpoint (it holds a list of", r));
        Assert.Contains(run.Notes, n => n.Contains("count epochs", StringComparison.Ordinal) && n.Contains("400.pth", StringComparison.Ordinal));
        Assert.Contains(run.Notes, n => n.StartsWith("final.pth placed at epoch 600", StringComparison.Ordinal));
    }

    [Fact]
    public void GrokkingMetricsComeFromEachCheckpointAndFromTheFinalFilesPerEpochLists()
    {
        var run = Run.Open(Fixture("grokking"));

        // test_acc is only in final.pth's per-epoch list; its alignment is checked against the scalars of 400.pth and 200.pth.
        Assert.Contains(run.Notes, n => n.StartsWith("final.pth: ", StringComparison.Ordinal) && n.Contains("value i at epoch i (matches", StringComparison.Ordinal));
        var at200 = MetricsAt(run, 200);
        Assert.Equal(0.3583574891090393, at200["train_loss"]);
        Assert.Equal(3.788111448287964, at200["test_loss"]);
        Assert.Equal(0.6000000238418579, at200["test_acc"]);
        Assert.Equal(200, at200["epoch"]);
        Assert.Equal(0.10000000149011612, MetricsAt(run, 0)["test_acc"]);
        var final = MetricsAt(run, 600);
        Assert.Equal(0.23000971972942352, final["train_loss"]); // its own scalar: the lists end at epoch 599
        Assert.False(final.ContainsKey("test_acc"));
    }

    [Fact]
    public void TanhRunIsFoundFromTheParentOfItsCheckpointsFolder()
    {
        string dir = Fixture("tanh_mlp");
        var run = Run.Open(dir);

        Assert.Equal(Path.Combine(Path.GetFullPath(dir), "checkpoints"), run.CheckpointDirectory);
        Assert.Equal(Path.GetFullPath(dir), run.Directory);
        Assert.Equal(StepUnit.Epoch, run.Unit);
        Assert.Equal(new[] { ("epoch_init.pt", 0L), ("epoch_1.pt", 1L), ("epoch_2.pt", 2L), ("epoch_3.pt", 3L) },
            run.Checkpoints.Select(c => (c.Name, c.Step)));
        Assert.Contains("checkpoints found in checkpoints/", run.Notes);
        var skipped = SkippedByName(run);
        Assert.StartsWith("no step: neither the file name nor its metadata", skipped["checkpoints/best.pt"]);
        Assert.Equal("optimizer state, not model weights", skipped["checkpoints/optimizer.pt"]);
        Assert.Equal("data or log file (.txt), not a checkpoint", skipped["train.txt"]);
        Assert.Equal("config or metadata file (.json), not a checkpoint", skipped["args.json"]);
        Assert.Equal("metrics log: read into the checkpoints' metrics", skipped["train_log.jsonl"]);
        Assert.False(skipped.ContainsKey("checkpoints"));

        Assert.Equal(0.7362081408500671, run.Checkpoints[2].Metrics["train_loss"]);
        Assert.Equal(0.375, run.Checkpoints[2].Metrics["test_acc"]);
        Assert.Equal(1.2642557621002197, run.Checkpoints[0].Metrics["train_loss"]);
        Assert.Contains("train_log.jsonl: test_acc, train_loss for 4 of 4 checkpoints", run.Notes);
    }

    [Fact]
    public void LightningRunIsReadWithItsCsvLoggerMetricsAndMonitoredScore()
    {
        var run = Run.Open(Fixture("lightning"));

        Assert.Equal("lightning_logs/version_0/checkpoints", Path.GetRelativePath(run.Directory, run.CheckpointDirectory).Replace('\\', '/'));
        Assert.Equal(StepUnit.Step, run.Unit);
        Assert.Equal(new[] { 4L, 8, 12 }, run.Checkpoints.Select(c => c.Step));
        var skipped = SkippedByName(run);
        Assert.Equal("holds step 12, the same as epoch=2-step=12.ckpt; kept out of the ordered run", skipped["lightning_logs/version_0/checkpoints/last.ckpt"]);
        Assert.Equal("metrics log: read into the checkpoints' metrics", skipped["lightning_logs/version_0/metrics.csv"]);
        Assert.Equal("config or metadata file (.yaml), not a checkpoint", skipped["lightning_logs/version_0/hparams.yaml"]);

        using (var reader = run.Checkpoints[0].Open())
        {
            // state dict under 'state_dict' (the 0-d scores in callbacks.best_k_models are not a second candidate)
            Assert.Equal(["model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias"], reader.Tensors.Select(t => t.Name));
            Assert.Equal(new MetadataValue.Integer(4), reader.Metadata["global_step"]);
            var own = MetadataMetrics.From(reader.Metadata);
            Assert.Equal(new[] { "epoch", "val_loss" }, own.Keys); // the monitored value; loops and hyper_parameters are not metrics
            Assert.Equal(0.572342038154602, own["val_loss"], 6);
        }
        var at4 = run.Checkpoints[0].Metrics; // from metrics.csv: validation logged at step 3, training loss at step 3
        Assert.Equal(0.572342038154602, at4["val_loss"]);
        Assert.Equal(0.75, at4["val_acc"]);
        Assert.Equal(0.5044574737548828, at4["train_loss"]);
        Assert.Equal(0.37293100357055664, run.Checkpoints[2].Metrics["val_loss"]);
    }

    [Theory]
    [InlineData("lightning/lightning_logs/version_0/checkpoints", "val_loss", 0.483123242855072)]
    [InlineData("tanh_mlp/checkpoints", "train_loss", 1.0110218524932861)]
    public void ACheckpointsFolderGivenAsTheRunStillGetsTheLogsBesideIt(string folder, string metric, double atSecond)
    {
        var run = Run.Open(Fixture(folder));

        Assert.Equal(atSecond, run.Checkpoints[1].Metrics[metric]);
        Assert.Contains(run.Notes, n => n.StartsWith("../", StringComparison.Ordinal));
    }

    [Fact]
    public void KeyPathDropsTheLightningModuleAttributePrefix()
    {
        string file = Path.Combine(Fixture("lightning"), "lightning_logs", "version_0", "checkpoints", "epoch=0-step=4.ckpt");

        using var reader = CheckpointFile.Open(file, new CheckpointOpenOptions("state_dict.model"));

        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], reader.Tensors.Select(t => t.Name));
    }

    [Fact]
    public void HuggingFaceTrainerOutputTakesItsMetricsFromTheNewestTrainerState()
    {
        var run = Run.Open(Fixture("hf_trainer"));

        Assert.Equal(new[] { ("checkpoint-4", 4L), ("checkpoint-8", 8L) }, run.Checkpoints.Select(c => (c.Name, c.Step)));
        var skipped = SkippedByName(run);
        Assert.Equal("training arguments or config, not model weights", skipped["training_args.bin"]);
        Assert.StartsWith("no step: neither the file name nor its metadata", skipped["pytorch_model.bin"]);
        Assert.Equal("config or metadata file (.json), not a checkpoint", skipped["config.json"]);
        var at4 = run.Checkpoints[0].Metrics;
        Assert.Equal(0.3663, at4["train_loss"]); // Trainer's 'loss'
        Assert.Equal(0.3177952468395233, at4["eval_loss"]);
        Assert.Equal(1.0, at4["eval_accuracy"]);
        Assert.False(at4.ContainsKey("eval_runtime"));
        Assert.Equal(0.241, run.Checkpoints[1].Metrics["train_loss"]);
        Assert.Equal(0.23316971957683563, run.Checkpoints[1].Metrics["eval_loss"]);
    }

    [Fact]
    public void SummaryPickleWithItsOwnStepListGivesMetrics()
    {
        var run = Run.Open(Fixture("history"));

        Assert.Equal(new[] { 0L, 50, 100 }, run.Checkpoints.Select(c => c.Step));
        Assert.Equal(3.0450847148895264, run.Checkpoints[0].Metrics["loss"]);
        Assert.Equal(0.03558814898133278, run.Checkpoints[1].Metrics["loss"]);
        Assert.Equal(0.01136461179703474, run.Checkpoints[2].Metrics["loss"]);
        Assert.True(run.Checkpoints[2].Metrics["grad_norm"] > 0);
        Assert.Equal("metrics log: read into the checkpoints' metrics", SkippedByName(run)["history.pkl"]);
    }

    [Fact]
    public void SymlinkedCheckpointsReportTheirTargetsSize()
    {
        string dir = TestPaths.NewTempDir();
        foreach (string name in new[] { "0.pth", "200.pth", "final.pth" })
            File.CreateSymbolicLink(Path.Combine(dir, name), Path.Combine(Fixture("grokking"), name));

        var run = Run.Open(dir);

        Assert.Equal(new long[] { 0, 200, 600 }, run.Checkpoints.Select(c => c.Step));
        Assert.Equal(new FileInfo(Path.Combine(Fixture("grokking"), "200.pth")).Length, run.Checkpoints[1].SizeBytes);
        Assert.Equal(1991, run.Checkpoints[1].SizeBytes);
        Assert.NotEqual(1991, new FileInfo(run.Checkpoints[1].Path).Length); // .NET's FileInfo gives the link's own size
    }

    [Fact]
    public void SeveralCheckpointFoldersBelowTheRunAreAnErrorNamingThem()
    {
        string dir = TestPaths.NewTempDir();
        foreach (string version in new[] { "version_0", "version_1" })
        {
            string ck = Path.Combine(dir, "lightning_logs", version, "checkpoints");
            Directory.CreateDirectory(ck);
            File.Copy(Path.Combine(Fixture("lightning"), "lightning_logs", "version_0", "checkpoints", "epoch=0-step=4.ckpt"), Path.Combine(ck, "epoch=0-step=4.ckpt"));
        }

        var e = Assert.Throws<RunFormatException>(() => Run.Open(dir));

        Assert.Contains("lightning_logs/version_0/checkpoints/, lightning_logs/version_1/checkpoints/", e.Message);
        Assert.Contains("pass the one to analyse as the run folder", e.Message);
    }
}
