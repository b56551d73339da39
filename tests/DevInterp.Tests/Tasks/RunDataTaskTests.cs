using DevInterp.Models;
using DevInterp.Tasks;
using static TorchSharp.torch;

namespace DevInterp.Tests.Tasks;

/// <summary>
/// Tasks built from a run's own data files (Fixtures/tasks/make_run_data_fixtures.py; the values are the ones the
/// script printed): modular pairs from pickles, tensors, arrays and CSVs; file-task rows, conditions and relabelling;
/// and the check that the data fit the model.
/// </summary>
public class RunDataTaskTests
{
    // Printed by make_run_data_fixtures.py.
    private static readonly (int A, int B)[] TrainPairs =
    [
        (3, 4), (6, 6), (1, 4), (2, 3), (0, 3), (3, 1), (2, 5), (6, 3), (1, 3), (0, 6), (6, 2), (3, 5), (3, 3), (6, 4), (1, 6),
        (3, 0), (1, 2), (0, 1), (2, 4), (0, 5), (0, 2), (5, 6), (4, 3), (5, 0), (4, 0), (4, 1), (1, 0), (5, 4), (3, 6),
    ];

    private static readonly (int A, int B)[] TestPairs =
    [
        (2, 6), (4, 5), (4, 4), (5, 1), (1, 5), (2, 0), (2, 2), (6, 0), (0, 0), (6, 1), (0, 4), (6, 5), (5, 5), (4, 2), (5, 3),
        (3, 2), (1, 1), (4, 6), (5, 2), (2, 1),
    ];

    private static readonly long[] DigitLabels = [0, 7, 3, 9, 4, 1, 5, 2, 8, 4, 6, 0];

    private static string Dir => TestPaths.Fixture("tasks");

    private static TaskSpec Spec(string json) => TaskSpec.Parse(json, Dir);

    private static long[] Longs(Tensor t) => t.to_type(ScalarType.Int64).contiguous().data<long>().ToArray();

    [Fact]
    public void ModularPairsComeFromTheRunsPickledSplit()
    {
        using var scope = NewDisposeScope();
        var spec = (ModularTaskSpec)Spec("""{"type":"modular","p":7,"operation":"add","encoding":"sum","train":"pairs_train.pth","test":"pairs_test.pkl"}""");
        using var train = spec.LoadTraining(ScalarType.Float64);
        using var test = spec.LoadTest(ScalarType.Float64)!;
        Assert.Equal([29L, 7], train.Inputs.shape);
        Assert.Equal([20L, 7], test.Inputs.shape);
        var x = train.Inputs.data<double>().ToArray();
        for (int i = 0; i < TrainPairs.Length; i++)
        {
            var (a, b) = TrainPairs[i];
            for (int j = 0; j < 7; j++) Assert.Equal((j == a ? 1.0 : 0) + (j == b ? 1.0 : 0), x[i * 7 + j]);
        }
        Assert.Equal(TrainPairs.Select(p => (long)((p.A + p.B) % 7)), Longs(train.Targets));
        Assert.Equal(TestPairs.Select(p => (long)((p.A + p.B) % 7)), Longs(test.Targets));
        Assert.EndsWith("pairs_train.pth", train.TargetsSource);
        Assert.Equal(2, spec.DataFiles.Count);
        Assert.Throws<InvalidOperationException>(() => spec.SplitIndices());

        // The JSON round-trips, and a split and pair files exclude each other.
        Assert.Equal(spec with { BaseDirectory = null }, TaskSpec.Parse(spec.ToJson()));
        var e = Assert.Throws<SpecFormatException>(() => Spec("""{"type":"modular","p":7,"operation":"add","train":"pairs_train.pth","train_fraction":0.5}"""));
        Assert.Equal("train_fraction", e.Field);
        e = Assert.Throws<SpecFormatException>(() => Spec("""{"type":"modular","p":7,"operation":"add","train_fraction":0.5,"seed":0,"test":"pairs_test.pkl"}"""));
        Assert.Equal("test", e.Field);
    }

    [Fact]
    public void ModularPairsFromArraysTensorsAndTablesInEveryEncoding()
    {
        using var scope = NewDisposeScope();
        // An int64 .npy [5, 2], concat encoding.
        using (var npy = Spec("""{"type":"modular","p":7,"operation":"multiply","train":"pairs_i8.npy"}""").LoadTraining())
        {
            Assert.Equal([5L, 14], npy.Inputs.shape);
            Assert.Equal(TrainPairs[..5].Select(p => (long)(p.A * p.B % 7)), Longs(npy.Targets));
            Assert.Equal(1f, npy.Inputs[0][3].item<float>());     // a = 3
            Assert.Equal(1f, npy.Inputs[0][7 + 4].item<float>()); // b = 4
        }
        // A tensor of [a, b, =] rows: the third column is the "=" token; token pairs without it.
        using (var eq = Spec("""{"type":"modular","p":7,"operation":"add","encoding":"tokens","equals_token":false,"train":"pairs_eq.pt"}""").LoadTraining())
        {
            Assert.Equal([4L, 2], eq.Inputs.shape);
            Assert.Equal(new long[] { 3, 4, 6, 6, 1, 4, 2, 3 }, Longs(eq.Inputs));
        }
        // A CSV with the label as third column: the labels are checked against the operation.
        using (var csv = Spec("""{"type":"modular","p":7,"operation":"add","encoding":"tokens","train":{"path":"pairs_labels.csv"}}""").LoadTraining())
            Assert.Equal(new long[] { 0, 5, 5, 5, 3, 4 }, Longs(csv.Targets));
        using (var cols = Spec("""{"type":"modular","p":7,"operation":"add","train":{"path":"pairs_labels.csv","columns":["a","b"]}}""").LoadTraining())
            Assert.Equal(6L, cols.Count);
    }

    [Fact]
    public void BadPairFilesAreOneLineErrorsNamingTheFileAndTheRow()
    {
        var e = Assert.Throws<DataFileException>(() => Spec("""{"type":"modular","p":7,"operation":"add","train":"pairs_wrong_labels.csv"}""").LoadTraining());
        Assert.EndsWith("pairs_wrong_labels.csv", e.Path);
        Assert.Contains("row 0: the third column is 6, neither the \"=\" token 7 nor the label 2 + 3 mod 7 = 5", e.Message);
        e = Assert.Throws<DataFileException>(() => Spec("""{"type":"modular","p":5,"operation":"add","train":"pairs_train.pth"}""").LoadTraining());
        Assert.Contains("row 1: a = 6 is not a residue mod p = 5", e.Message);
        e = Assert.Throws<DataFileException>(() => Spec("""{"type":"modular","p":7,"operation":"divide","train":"pairs_train.pth"}""").LoadTraining());
        Assert.Contains("row 15: b = 0", e.Message);
        e = Assert.Throws<DataFileException>(() => Spec("""{"type":"modular","p":11,"operation":"add","train":"digits_train.txt"}""").LoadTraining());
        Assert.Contains("have shape [12, 4]", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AFileTaskRefusesToReadUnnamedIntegerPairsAsInputAndTarget()
    {
        var e = Assert.Throws<DataFileException>(() => Spec("""{"type":"file","loss":"cross_entropy","train":"pairs_train.pth"}""").LoadTraining());
        Assert.Contains("look like (a, b) pairs of modular arithmetic", e.Message);
        Assert.Contains("\"type\": \"modular\"", e.Message);
        Assert.Contains("\"inputs\": 0, \"targets\": 1", e.Message);
        // Saying which column is which is accepted.
        using var data = Spec("""{"type":"file","loss":"cross_entropy","train":{"path":"pairs_train.pth","inputs":0,"targets":1}}""").LoadTraining();
        Assert.Equal(TrainPairs.Select(p => (long)p.B), Longs(data.Targets));
    }

    [Fact]
    public void WhereKeepsTheClassesTheRunTrainedOnAndRelabelRenumbersThem()
    {
        using var scope = NewDisposeScope();
        using (var kept = Spec("""{"type":"file","loss":"cross_entropy","train":"digits_train.txt","where":"target <= 4"}""").LoadTraining())
        {
            Assert.Equal(DigitLabels.Where(l => l <= 4), Longs(kept.Targets));
            Assert.Equal([7L, 3], kept.Inputs.shape);
            Assert.Equal(-0.8f, kept.Inputs[0][0].item<float>()); // row 0 of the file
        }
        using (var some = Spec("""{"type":"file","loss":"cross_entropy","train":"digits_train.txt","where":"target in [3, 7, 9] and target != 9","relabel":"dense"}""").LoadTraining())
            Assert.Equal(new long[] { 1, 0 }, Longs(some.Targets)); // labels 7, 3 → dense over {3, 7}
        using (var mapped = Spec("""{"type":"file","loss":"cross_entropy","train":"digits_train.txt","where":"target >= 8","relabel":{"8":1,"9":0}}""").LoadTraining())
            Assert.Equal(new long[] { 0, 1 }, Longs(mapped.Targets)); // labels 9, 8

        var e = Assert.Throws<DataFileException>(() => Spec("""{"type":"file","loss":"cross_entropy","train":"digits_train.txt","relabel":{"0":0}}""").LoadTraining());
        Assert.Contains("label 7 at sample 1 is not in \"relabel\"", e.Message);
        e = Assert.Throws<DataFileException>(() => Spec("""{"type":"file","loss":"cross_entropy","train":"digits_train.txt","where":"target > 9"}""").LoadTraining());
        Assert.Contains("keeps none of the 12 rows", e.Message);
        var s = Assert.Throws<SpecFormatException>(() => Spec("""{"type":"file","loss":"cross_entropy","train":"digits_train.txt","where":"label < 5"}"""));
        Assert.Equal("where", s.Field);
        s = Assert.Throws<SpecFormatException>(() => Spec("""{"type":"file","loss":"mse","train":"digits_train.txt","relabel":"dense"}"""));
        Assert.Equal("relabel", s.Field);
    }

    [Fact]
    public void AnIndexFileChoosesTheRowsInItsOrder()
    {
        using var scope = NewDisposeScope();
        var spec = (FileTaskSpec)Spec("""{"type":"file","loss":"cross_entropy","train":{"path":"digits_train.txt","rows":"train_idx.npy"},"where":"target < 5"}""");
        using var data = spec.LoadTraining();
        Assert.Equal(new long[] { 0, 3, 4, 0 }, Longs(data.Targets)); // rows 11, 2, 4, 0
        Assert.Equal(-0.4f, data.Inputs[0][2].item<float>());         // the last value of row 11
        Assert.Contains(spec.DataFiles, f => f.Path == "train_idx.npy");
        Assert.Equal(spec with { BaseDirectory = null }, TaskSpec.Parse(spec.ToJson()));
    }

    [Fact]
    public void LabelsBeyondTheModelsOutputsAreAOneLineErrorNamingTheFileAndTheFix()
    {
        using var scope = NewDisposeScope();
        var model = new MlpSpec([3, 8, 5], "tanh");
        using var all = Spec("""{"type":"file","loss":"cross_entropy","train":"digits_train.txt"}""").LoadTraining();
        var e = Assert.Throws<TaskFitException>(() => TaskModelFit.Check(all, model));
        Assert.EndsWith("digits_train.txt", e.Source);
        Assert.Contains("class index 9 (sample 3 of the training split) is not below the model's 5 outputs", e.Message);
        Assert.Contains("\"where\": \"target < 5\"", e.Message);
        using var kept = Spec("""{"type":"file","loss":"cross_entropy","train":"digits_train.txt","where":"target < 5"}""").LoadTraining();
        TaskModelFit.Check(kept, model);
    }

    [Fact]
    public void InputsOfTheWrongKindOrWidthAreNamedWithTheFix()
    {
        using var scope = NewDisposeScope();
        var mlp = new MlpSpec([14, 8, 7]);
        var tokens = (ModularTaskSpec)Spec("""{"type":"modular","p":7,"operation":"add","encoding":"tokens","train":"pairs_train.pth"}""");
        using (var t = tokens.LoadTraining())
        {
            var e = Assert.Throws<TaskFitException>(() => TaskModelFit.Check(t, mlp));
            Assert.Contains("are integer tokens [29, 3], but the mlp model takes 14 float features; for modular arithmetic choose a one-hot encoding", e.Message);
            Assert.EndsWith("pairs_train.pth", e.Source);
            TaskModelFit.Check(t, new TransformerSpec(8, 3, 8, 2, 1, 16, TieEmbeddings: false));
            e = Assert.Throws<TaskFitException>(() => TaskModelFit.Check(t, new TransformerSpec(7, 3, 8, 2, 1, 16)));
            Assert.Contains("token ids from 0 to 7, but the model's vocabulary is 7", e.Message);
        }
        using (var sum = (tokens with { Encoding = ModularEncoding.Sum }).LoadTraining())
        {
            var e = Assert.Throws<TaskFitException>(() => TaskModelFit.Check(sum, mlp));
            Assert.Contains("have 7 features per sample (shape [29, 7]), but the mlp model takes 14", e.Message);
            e = Assert.Throws<TaskFitException>(() => TaskModelFit.Check(sum, new TransformerSpec(8, 3, 8, 2, 1, 16)));
            Assert.Contains("are float features [29, 7], but the transformer model takes int64 token ids", e.Message);
        }
        // One number per sample (a file task reading a as the input) is named as such.
        using var single = Spec("""{"type":"file","loss":"cross_entropy","train":{"path":"pairs_train.pth","inputs":0,"targets":1}}""").LoadTraining();
        var f = Assert.Throws<TaskFitException>(() => TaskModelFit.Check(single, mlp));
        Assert.Contains("have shape [29]: one number per sample, but the mlp model takes 14 features per sample", f.Message);
    }

    [Fact]
    public void AllInputsOfAFiniteTask()
    {
        using var scope = NewDisposeScope();
        var modular = (ModularTaskSpec)Spec("""{"type":"modular","p":7,"operation":"add","encoding":"tokens","train":"pairs_train.pth"}""");
        using (var all = modular.LoadAll())
        {
            Assert.Equal([49L, 3], all.Inputs.shape);
            Assert.Equal(new long[] { 6, 5, 7 }, Longs(all.Inputs[6 * 7 + 5]));
        }
        using (var both = Spec("""{"type":"file","loss":"cross_entropy","train":{"path":"digits_train.txt","rows":"train_idx.npy"},"test":"digits_train.txt"}""").LoadAll()!)
            Assert.Equal(4 + 12, both.Count);
        Assert.Null(new TmsTaskSpec(4, 0.5, 1, 16, 0).LoadAll());
    }
}
