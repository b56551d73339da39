using DevInterp.Checkpoints;
using DevInterp.Tests.Cli;
using Xunit.Abstractions;

namespace DevInterp.Tests.Checkpoints;

/// <summary>
/// Issue 14's hostile files, each opened and summarised as <c>devinterp inspect</c> does: every one is answered (read
/// with the right contents, or refused in one line naming the file and the reason), without a hang, a raw exception or
/// more managed allocation than 4× its size + 256 MB.
/// </summary>
public class HostileFileTests(ITestOutputHelper output)
{
    /// <summary>A hang detector, not a speed target (speed is in docs/benchmarks.md): far above any honest answer.</summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(120);

    /// <summary>What each file must give: the tensor count when read, or a phrase of the refusal.</summary>
    private static readonly Dictionary<string, (int? Tensors, string? Refusal)> Expected = new()
    {
        ["many_empty_tensors.safetensors"] = (200_000, null),
        ["aliased_100k.pt"] = (100_000, null),
        ["shared_tree_19.pt"] = (null, "dicts shared under several paths"),
        ["stride0_2p28.pt"] = (null, "a broadcast view may expand"),
        ["deflated_256m_storage.pt"] = (1, null),
        ["deflated_256m_pickle.pt"] = (null, "would inflate"),
        ["overlapping_entries.pt"] = (null, "overlaps entry"),
        ["entry_points_at_pickle.pt"] = (null, "overlaps entry"),
        ["ansi_names.safetensors"] = (1, null),
        ["ansi_names_corrupt.safetensors"] = (null, "\\x1B[2J\\x1B[31mFAKE: all good\\nline two\\x07"),
        ["long_name.safetensors"] = (null, "a tensor name of 1048576 characters"),
        ["nested_100.pt"] = (null, "nested deeper than 64 levels"),
        ["fifo.safetensors"] = (null, "a named pipe (FIFO), not a regular file"),
        ["dev_zero.pt"] = (null, "a character device, not a regular file"),
    };

    [Fact]
    public void EveryHostileFileIsReadOrRefusedInOneLineWithinMemory()
    {
        var files = HostileFiles.Instance;
        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), files.Names);
        var failures = new List<string>();
        foreach (string name in files.Names)
        {
            string path = files[name];
            var (tensors, refusal) = Expected[name];
            long allowance = 4 * files.Size(name) + (256L << 20);
            (CheckpointSummary? Summary, Exception? Error, long Allocated) outcome = (null, null, 0);
            var worker = new Thread(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    using var reader = CheckpointFile.Open(path);
                    outcome = (CheckpointSummary.Of(reader), null, 0);
                }
                catch (Exception e)
                {
                    outcome = (null, e, 0);
                }
                outcome.Allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }) { IsBackground = true };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            worker.Start();
            if (!worker.Join(HangLimit))
            {
                failures.Add($"{name}: no answer in {HangLimit.TotalSeconds} s");
                continue;
            }
            output.WriteLine($"{name}: {clock.Elapsed.TotalSeconds:F2} s, {outcome.Allocated / 1e6:F0} MB allocated, " +
                (outcome.Error is { } e0 ? e0.Message : $"{outcome.Summary!.Tensors.Count} tensors"));
            if (outcome.Allocated > allowance) failures.Add($"{name}: allocated {outcome.Allocated} bytes, over {allowance}");
            if (refusal is not null)
            {
                if (outcome.Error is not CheckpointFormatException c) failures.Add($"{name}: expected a refusal, got {(outcome.Error is { } x ? x.GetType().Name + ": " + x.Message : "a read")}");
                else if (!c.Message.StartsWith(path + ": ", StringComparison.Ordinal) || c.Message.Any(char.IsControl) || !c.Message.Contains(refusal, StringComparison.Ordinal))
                    failures.Add($"{name}: refusal is not one line naming the file and saying '{refusal}': {c.Message}");
            }
            else if (outcome.Error is { } error) failures.Add($"{name}: expected a read, got {error.GetType().Name}: {error.Message}");
            else if (outcome.Summary!.Tensors.Count != tensors) failures.Add($"{name}: {outcome.Summary.Tensors.Count} tensors, expected {tensors}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void NamesOfOneSharedTensorHaveItsValues()
    {
        using var reader = CheckpointFile.Open(HostileFiles.Instance["aliased_100k.pt"]);
        var summary = CheckpointSummary.Of(reader);
        Assert.Equal(100_000, summary.Tensors.Count);
        Assert.All(summary.Tensors, t => Assert.Equal((0.0, 65536L), (t.Norm!.Value, t.ElementCount)));
        Assert.Equal("w99999", summary.Tensors[^1].Name);
    }

    [Fact]
    public void ADeflatedStorageIsInflatedOnlyAsFarAsTheTensorNeeds()
    {
        using var reader = CheckpointFile.Open(HostileFiles.Instance["deflated_256m_storage.pt"]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        float[] values = reader.ReadFloats("w");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(new float[4], values);
        Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated to read 16 bytes of a 256 MiB entry");
    }

    [Fact]
    public void InspectPrintsNoControlCharacterFromANameAnywhere()
    {
        string path = HostileFiles.Instance["ansi_names.safetensors"];
        var table = CliRunner.Run("inspect", path);
        var json = CliRunner.Run("inspect", path, "--json");
        var bad = CliRunner.Run("inspect", HostileFiles.Instance["ansi_names_corrupt.safetensors"]);

        Assert.Equal(0, table.ExitCode);
        Assert.Contains("\\x1B[2J", table.Out); // the table may wrap the rest of the name
        Assert.Contains("\\u001B[2J\\u001B[31mFAKE: all good\\nline two\\u0007", json.Out);
        Assert.Equal(2, bad.ExitCode);
        foreach (string text in new[] { table.Out, table.Err, json.Out, json.Err, bad.Out, bad.Err })
            Assert.DoesNotContain(text, c => c is '\u001B' or '\u0007');
        Assert.Single(bad.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("fifo.safetensors", "a named pipe (FIFO)")]
    [InlineData("dev_zero.pt", "a character device")]
    public void PipesAndDevicesAreRefusedWhereverAFileIsRead(string name, string kind)
    {
        string path = HostileFiles.Instance[name];
        string Message(Action read) => Assert.ThrowsAny<Exception>(read).Message;

        Assert.Contains(kind, Message(() => CheckpointFile.Open(path).Dispose()));
        Assert.Contains(kind, Message(() => DevInterp.Analysis.RunSource.Hash(path)));
        Assert.Contains(kind, Message(() => DevInterp.Tasks.Files.SourceLoader.OpenFile(new DevInterp.Tasks.DataFileRef(path), path).Dispose()));
        Assert.Contains(kind, Message(() => DevInterp.Runs.RunManifest.Load(path)));
        Assert.Contains(kind, Message(() => DevInterp.Analysis.AnalysisConfig.Load(path)));
        var cli = CliRunner.Run("inspect", path);
        Assert.Equal(2, cli.ExitCode);
        Assert.Equal($"error: {path}: {kind}", cli.Err.Trim()[..$"error: {path}: {kind}".Length]);
    }
}
