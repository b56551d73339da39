using DevInterp.Checkpoints;
using DevInterp.Runs;

namespace DevInterp.Tests.Runs;

public class RunTests
{
    [Fact]
    public void OrdersByStepNotByNameAndListsWhatWasSkipped()
    {
        string dir = TestPaths.NewTempDir();
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step-1000.safetensors"), 3);
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step-20.safetensors"), 2);
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step-3.safetensors"), 1);
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "final.safetensors"), 9);
        File.WriteAllText(Path.Combine(dir, "train.csv"), "x,y\n1,2\n");
        Directory.CreateDirectory(Path.Combine(dir, "logs"));

        var run = Run.Open(dir);

        Assert.Equal(new long[] { 3, 20, 1000 }, run.Checkpoints.Select(c => c.Step));
        Assert.All(run.Checkpoints, c => Assert.Equal("name", c.StepSource));
        var skipped = run.Skipped.ToDictionary(s => Path.GetFileName(s.Path), s => s.Reason);
        Assert.Equal(3, skipped.Count);
        Assert.Contains("no step", skipped["final.safetensors"]);
        Assert.Contains(".csv", skipped["train.csv"]);
        Assert.Contains("folder without a weights file", skipped["logs"]);
    }

    [Fact]
    public void HuggingFaceTrainerFoldersAreCheckpoints()
    {
        string dir = TestPaths.NewTempDir();
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "checkpoint-500", "model.safetensors"), 5);
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "checkpoint-50", "model.safetensors"), 4);
        File.WriteAllText(Path.Combine(dir, "checkpoint-50", "trainer_state.json"), "{}");

        var run = Run.Open(dir);

        Assert.Equal(new long[] { 50, 500 }, run.Checkpoints.Select(c => c.Step));
        using var reader = run.Checkpoints[1].Open();
        Assert.Equal(new[] { 5.0 }, reader.ReadDoubles("w"));
    }

    [Fact]
    public void StepCanComeFromSafetensorsMetadata()
    {
        string dir = TestPaths.NewTempDir();
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "a.safetensors"), 1, new Dictionary<string, string> { ["step"] = "300" });
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "b.safetensors"), 2, new Dictionary<string, string> { ["global_step"] = "30" });

        var run = Run.Open(dir);

        Assert.Equal(new[] { ("b.safetensors", 30L), ("a.safetensors", 300L) }, run.Checkpoints.Select(c => (c.Name, c.Step)));
        Assert.All(run.Checkpoints, c => Assert.Equal("metadata", c.StepSource));
    }

    [Fact]
    public void StepCanComeFromAScalarBesideTheStateDictOfANestedTrainingCheckpoint()
    {
        // Names carry no step and sort alpha, beta, gamma; the epochs (3, 9, 7) would order them alpha, gamma, beta; the
        // steps (1200, 300, 50) order them gamma, beta, alpha. alpha.pt is a real torch.save file
        // ({"model": MLP state_dict, "optimizer": ..., "epoch": 3, "step": 1200, ...}); the others are built like it.
        string dir = TestPaths.NewTempDir();
        File.Copy(TestPaths.Fixture("pytorch/training_checkpoint.pt"), Path.Combine(dir, "alpha.pt"));
        RunFixtures.WriteNestedTorchCheckpoint(Path.Combine(dir, "beta.pt"), 3, step: 300, epoch: 9);
        RunFixtures.WriteNestedTorchCheckpoint(Path.Combine(dir, "gamma.pt"), 5, step: 50, epoch: 7);
        using (var built = CheckpointFile.Open(Path.Combine(dir, "beta.pt")))
        {
            Assert.Equal(CheckpointFormat.PyTorchZip, built.Format);
            Assert.Equal(["w"], built.Tensors.Select(t => t.Name));
            Assert.Equal(new MetadataValue.Integer(300), built.Metadata["step"]);
        }

        foreach (var options in new[] { RunOpenOptions.Default, new RunOpenOptions(Key: "model") })
        {
            var run = Run.Open(dir, options);

            Assert.Equal(new[] { ("gamma.pt", 50L), ("beta.pt", 300L), ("alpha.pt", 1200L) }, run.Checkpoints.Select(c => (c.Name, c.Step)));
            Assert.Equal(StepUnit.Step, run.Unit);
            Assert.All(run.Checkpoints, c => Assert.Equal("metadata", c.StepSource));
            Assert.Empty(run.Skipped);
            using (var first = run.Checkpoints[0].Open()) Assert.Equal([5.0], first.ReadDoubles("w"));
            using (var last = run.Checkpoints[2].Open()) Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], last.Tensors.Select(t => t.Name));
        }
    }

    [Fact]
    public void EpochFilesAreOrderedWithInitFirst()
    {
        string dir = TestPaths.NewTempDir();
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "epoch_12.safetensors"), 2);
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "epoch_init.safetensors"), 0);
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "epoch_2.safetensors"), 1);

        var run = Run.Open(dir);

        Assert.Equal(StepUnit.Epoch, run.Unit);
        Assert.Equal(new[] { "epoch_init.safetensors", "epoch_2.safetensors", "epoch_12.safetensors" }, run.Checkpoints.Select(c => c.Name));
    }

    [Fact]
    public void DuplicateStepsAreAnErrorNamingBothFiles()
    {
        string dir = TestPaths.NewTempDir();
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step_100.safetensors"), 1);
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step-0100.pt"), 2);

        var e = Assert.Throws<RunFormatException>(() => Run.Open(dir));

        Assert.Contains("duplicate step 100", e.Message);
        Assert.Contains("step_100.safetensors", e.Message);
        Assert.Contains("step-0100.pt", e.Message);
    }

    [Fact]
    public void EmptyDirectoryIsAnError()
    {
        string dir = TestPaths.NewTempDir();
        var e = Assert.Throws<RunFormatException>(() => Run.Open(dir));
        Assert.Contains("no checkpoints found", e.Message);
        Assert.StartsWith(dir, e.Message);
    }

    [Fact]
    public void MixingStepsAndEpochsIsAnError()
    {
        string dir = TestPaths.NewTempDir();
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step_10.safetensors"), 1);
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "epoch_1.safetensors"), 2);
        var e = Assert.Throws<RunFormatException>(() => Run.Open(dir));
        Assert.Contains("mixes", e.Message);
    }

    [Fact]
    public void ManifestOrderAndMetricsWinOverFileNames()
    {
        string dir = TestPaths.NewTempDir();
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "a.safetensors"), 1);
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "b.safetensors"), 2);
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step_5.safetensors"), 3);
        new RunManifest("demo", null, null, null,
        [
            new ManifestCheckpoint(40, "b.safetensors", new Dictionary<string, double> { ["train_loss"] = 0.5 }),
            new ManifestCheckpoint(7, "a.safetensors"),
            new ManifestCheckpoint(90, "gone.safetensors"),
        ]).Save(Path.Combine(dir, RunManifest.FileName));

        var run = Run.Open(dir);

        Assert.Equal("demo", run.Name);
        Assert.Equal(new[] { ("a.safetensors", 7L), ("b.safetensors", 40L) }, run.Checkpoints.Select(c => (c.Name, c.Step)));
        Assert.Equal(0.5, run.Checkpoints[1].Metrics["train_loss"]);
        var skipped = run.Skipped.ToDictionary(s => Path.GetFileName(s.Path), s => s.Reason);
        Assert.Contains("not listed in manifest.json", skipped["step_5.safetensors"]);
        Assert.Contains("missing", skipped["gone.safetensors"]);
    }

    [Fact]
    public void MalformedManifestNamesTheFile()
    {
        string dir = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, RunManifest.FileName), "{\"name\": \"x\", \"checkpoints\": [ {\"step\": 1} ]}");
        var e = Assert.Throws<RunFormatException>(() => Run.Open(dir));
        Assert.Contains("manifest.json", e.Message);
        Assert.Contains("no 'file'", e.Message);
    }

    [Fact]
    public void ReplayReportsABadCheckpointAndGoesOn()
    {
        string dir = TestPaths.NewTempDir();
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step_1.safetensors"), 1);
        File.WriteAllBytes(Path.Combine(dir, "step_2.safetensors"), [1, 2, 3]);
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step_3.safetensors"), 3);

        var results = Run.Open(dir).Replay().Select(r => (r.Checkpoint.Step, r.Ok, Value: r.Ok ? r.Reader!.ReadDoubles("w")[0] : double.NaN, r.Error)).ToList();

        Assert.Equal(new long[] { 1, 2, 3 }, results.Select(r => r.Step));
        Assert.Equal(new[] { true, false, true }, results.Select(r => r.Ok));
        Assert.Equal(1.0, results[0].Value);
        Assert.Equal(3.0, results[2].Value);
        var error = Assert.IsType<CheckpointFormatException>(results[1].Error);
        Assert.Contains("step_2.safetensors", error.Message);
    }

    [Fact]
    public void ReplayClosesEachReaderBeforeOpeningTheNext()
    {
        string dir = TestPaths.NewTempDir();
        for (int i = 0; i < 5; i++) RunFixtures.WriteCheckpoint(Path.Combine(dir, $"step_{i}.safetensors"), i);
        var seen = new List<ICheckpointReader>();
        foreach (var r in Run.Open(dir).Replay())
        {
            seen.Add(r.Reader!);
            if (seen.Count > 1) Assert.Throws<ObjectDisposedException>(() => seen[^2].ReadBytes("w"));
        }
        Assert.Equal(5, seen.Count);
    }
}
