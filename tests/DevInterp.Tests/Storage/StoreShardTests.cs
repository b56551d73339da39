using DevInterp.Storage;

namespace DevInterp.Tests.Storage;

public class StoreShardTests
{
    [Fact]
    public void RewritingAPartIsIdempotentAndReplacesItWhole()
    {
        var store = AnalysisStore.Open(TestPaths.NewTempDir());
        string key = PartKey.ForStepPair(0, 100);
        var first = store.Write(key, StoreSamples.SimilarityFor(0, 100));
        byte[] bytes = File.ReadAllBytes(first.Path);
        store.Write(key, StoreSamples.SimilarityFor(0, 100).Reverse());
        Assert.Equal(bytes, File.ReadAllBytes(first.Path)); // same rows, any order → the same file
        Assert.Single(store.Parts("similarity"));
        Assert.Equal(6, store.Read<SimilarityRow>().Count);

        store.Write(key, [new SimilarityRow("blocks.0", "linear_cka", 0, 100, 0.25)]);
        Assert.Equal([0.25], store.Read<SimilarityRow>().Select(r => r.Value));
        Assert.Single(Directory.EnumerateFiles(store.PartsFolder("similarity"))); // no temp or backup left
    }

    [Fact]
    public void ShardsOfSeveralWritersConsolidateIntoOneTableAndIdenticalOverlapsAreReported()
    {
        string dir = TestPaths.NewTempDir();
        var a = AnalysisStore.Open(dir, shard: "machine-a");
        var b = AnalysisStore.Open(dir, shard: "machine-b");
        foreach (var row in StoreSamples.Llc)
            (row.Step == 100 ? b : a).Write(PartKey.ForStep(row.Step), [row]);
        b.Write(PartKey.ForStep(0), [StoreSamples.Llc[0]]); // b redid step 0 with the same result

        Assert.Equal(["machine-a", "machine-b", "machine-b", "machine-a"], a.Parts("llc").Select(p => p.Shard));
        Assert.True(a.HasPart<LlcRow>(PartKey.ForStep(100))); // a sees b's work: a rerun of a skips it

        var result = AnalysisStore.Open(dir).Consolidate("llc");
        Assert.Equal((4, 3), (result.Parts, result.Rows));
        var duplicate = Assert.Single(result.IgnoredDuplicates);
        Assert.Equal("step=0", duplicate.Key);
        Assert.EndsWith("step-000000000000@machine-a.arrow", duplicate.KeptFile);
        Assert.EndsWith("step-000000000000@machine-b.arrow", duplicate.IgnoredFile);
        Assert.Equal([0L, 100, 10000], AnalysisStore.Open(dir).Read<LlcRow>().Select(r => r.Step));
    }

    [Fact]
    public void PartsCopiedFromSeveralMachinesMerge()
    {
        string machineA = TestPaths.NewTempDir(), machineB = TestPaths.NewTempDir(), merged = TestPaths.NewTempDir();
        var pairs = StoreSamples.Pairs;
        AnalysisStore.Open(machineA, "a").Write(PartKey.ForStepPair(pairs[0].A, pairs[0].B), StoreSamples.SimilarityFor(pairs[0].A, pairs[0].B));
        AnalysisStore.Open(machineB, "b").Write(PartKey.ForStepPair(pairs[1].A, pairs[1].B), StoreSamples.SimilarityFor(pairs[1].A, pairs[1].B));
        foreach (string source in new[] { machineA, machineB })
            foreach (string file in Directory.EnumerateFiles(source, "*.arrow", SearchOption.AllDirectories))
            {
                string target = Path.Combine(merged, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        var store = AnalysisStore.Open(merged);
        Assert.Equal(12, store.Consolidate("similarity").Rows);
        Assert.Equal([0L, 100], store.Read<SimilarityRow>().Select(r => r.StepA).Distinct().Order());
    }

    [Fact]
    public void ConflictingDuplicatesAreAnErrorNamingBothFilesAndTheColumn()
    {
        string dir = TestPaths.NewTempDir();
        var a = AnalysisStore.Open(dir, "a");
        var b = AnalysisStore.Open(dir, "b");
        a.Write(PartKey.ForStep(0), [StoreSamples.Llc[0]]);
        b.Write(PartKey.ForStep(0), [StoreSamples.Llc[0] with { Mean = 41.5 }]);
        var e = Assert.Throws<AnalysisStoreException>(() => a.Consolidate("llc"));
        Assert.Contains("key step=0", e.Message);
        Assert.Contains("step-000000000000@a.arrow", e.Message);
        Assert.Contains("step-000000000000@b.arrow", e.Message);
        Assert.Contains("column 'mean': 41.25 vs 41.5", e.Message);
        Assert.False(File.Exists(a.TablePath("llc")));
        Assert.Throws<AnalysisStoreException>(() => a.Read<LlcRow>()); // readers refuse too, rather than pick one

        // Rows under different part keys collide the same way (a unit re-split differently by another writer).
        string dir2 = TestPaths.NewTempDir();
        var s = AnalysisStore.Open(dir2);
        s.Write("batch-1", [new SimilarityRow("l", "cka", 0, 1, 0.5)]);
        s.Write("batch-2", [new SimilarityRow("l", "cka", 0, 1, 0.5), new SimilarityRow("l", "cka", 1, 2, 0.7)]);
        Assert.Equal(2, s.Read<SimilarityRow>().Count);
        s.Write("batch-3", [new SimilarityRow("l", "cka", 1, 2, 0.8)]);
        Assert.Contains("layer='l', measure='cka', step_a=1, step_b=2", Assert.Throws<AnalysisStoreException>(() => s.Consolidate("similarity")).Message);
    }

    [Fact]
    public void AConsolidatedTableGoesStaleWhenAPartIsAddedAndReadersThenUseTheParts()
    {
        string dir = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(dir);
        store.Write(PartKey.ForStep(0), [StoreSamples.Checkpoints[0]]);
        store.Consolidate("checkpoints");
        Assert.Equal(TableState.Consolidated, store.State("checkpoints"));

        store.Write(PartKey.ForStep(100), [StoreSamples.Checkpoints[1]]);
        Assert.Equal(TableState.Stale, store.State("checkpoints"));
        Assert.Equal([0L, 100], store.Read<CheckpointRow>().Select(c => c.Step));
        Assert.Equal(2, store.ReadDataFrame("checkpoints").Rows.Count);

        store.Write(PartKey.ForStep(100), [StoreSamples.Checkpoints[1] with { File = "moved.safetensors" }]); // rewrite
        store.Consolidate("checkpoints");
        Assert.Equal(TableState.Consolidated, store.State("checkpoints"));
        Assert.Equal("moved.safetensors", store.Read<CheckpointRow>()[1].File);
        Assert.Equal(["checkpoints"], store.Tables());
    }

    [Fact]
    public void ShardAndKeyNamesAreChecked()
    {
        Assert.Contains("shard name 'a b'", Assert.Throws<ArgumentException>(() => AnalysisStore.Open(TestPaths.NewTempDir(), "a b")).Message);
        Assert.Equal("step-000000001200", PartKey.ForStep(1200));
        Assert.Equal("steps-000000000000-000000000100", PartKey.ForStepPair(0, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => PartKey.ForStep(-1));
        Assert.False(PartKey.IsValid(".hidden"));
        Assert.False(PartKey.IsValid("a@b"));
        Assert.False(PartKey.IsValid(""));
        Assert.True(PartKey.IsValid("step-1.retry_2"));
    }
}
