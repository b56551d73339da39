using DevInterp.Tasks;
using DevInterp.Tasks.Files;
using static TorchSharp.torch;

namespace DevInterp.Tests.Tasks;

/// <summary>
/// The file task on the fixtures of Fixtures/tasks/make_task_fixtures.py; the expected values are the ones the script
/// printed from numpy and torch.
/// </summary>
public class FileTaskTests
{
    // x_f4.npy (float32 [4, 3]) as printed by numpy.
    private static readonly double[] X = [-1.25, -0.75, -0.25, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4.25];
    private static readonly double[] YF8 = [0.1, -2.5, 3.25, 0.001];
    private static readonly long[] Labels = [0, 2, 1, 2];

    private static string Dir => TestPaths.Fixture("tasks");

    private static TaskSpec Spec(string json) => TaskSpec.Parse(json, Dir);

    private static (double[] X, long[] XShape, double[] Y, long[] YShape, ScalarType YType) Load(string json, ScalarType dtype = ScalarType.Float64)
    {
        using var data = Spec(json).LoadTraining(dtype);
        return (Doubles(data.Inputs), data.Inputs.shape, Doubles(data.Targets), data.Targets.shape, data.Targets.dtype);
    }

    private static double[] Doubles(Tensor t)
    {
        using var d = t.to_type(ScalarType.Float64).contiguous();
        return d.data<double>().ToArray();
    }

    [Fact]
    public void NpyInputsAndTargetsFromSeparateFiles()
    {
        var (x, xs, y, ys, yt) = Load("""{"type":"file","loss":"cross_entropy","train":{"inputs":{"path":"x_f4.npy"},"targets":{"path":"labels_i8.npy"}}}""");
        Assert.Equal(X, x);
        Assert.Equal([4L, 3], xs);
        Assert.Equal(Labels.Select(l => (double)l), y);
        Assert.Equal([4L], ys);
        Assert.Equal(ScalarType.Int64, yt);

        // Regression targets become one column: [4] → [4, 1]; float64 keeps 0.1 exactly as numpy wrote it.
        var (_, _, yr, yrs, yrt) = Load("""{"type":"file","loss":"mse","train":{"inputs":{"path":"x_f4.npy"},"targets":{"path":"y_f8.npy"}}}""");
        Assert.Equal(YF8, yr);
        Assert.Equal([4L, 1], yrs);
        Assert.Equal(ScalarType.Float64, yrt);
    }

    [Fact]
    public void NpyDtypesOrdersAndByteOrders()
    {
        NumericArray Read(string name)
        {
            using var c = NpyFile.Open(Path.Combine(Dir, name));
            return c.Field("array");
        }
        var fortran = Read("fortran_f8.npy"); // header {'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }
        Assert.Equal([2L, 3], fortran.Shape);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], fortran.Values);
        Assert.Equal([1.5, -2.0, 1024.25], Read("big_endian_f4.npy").Values);
        var cube = Read("i4_3d.npy");
        Assert.Equal([2L, 3, 4], cube.Shape);
        Assert.Equal(Enumerable.Range(-5, 24).Select(v => (double)v), cube.Values);
        Assert.Equal([0.0, 7, 255], Read("u1.npy").Values);
        Assert.Equal([1.0, 0, 1], Read("b1.npy").Values);
        Assert.Equal(Labels.Select(l => (double)l), Read("labels_i8.npy").Values);
        var e = Assert.Throws<DataFileException>(() => Read("strings.npy"));
        Assert.Contains("strings", e.Message);
        Assert.StartsWith(Path.Combine(Dir, "strings.npy"), e.Message);
    }

    [Fact]
    public void SingleTwoDimensionalNpyArraySplitsIntoColumns()
    {
        // Defaults for a single 2-D array: the last column is the target, the others the inputs.
        var (x, xs, y, ys, _) = Load("""{"type":"file","loss":"mse","train":"x_f4.npy"}""");
        Assert.Equal([4L, 2], xs);
        Assert.Equal([-1.25, -0.75, 0.25, 0.75, 1.75, 2.25, 3.25, 3.75], x);
        Assert.Equal([-0.25, 1.25, 2.75, 4.25], y);
        Assert.Equal([4L, 1], ys);
        var (x2, _, y2, _, _) = Load("""{"type":"file","loss":"mse","train":{"path":"x_f4.npy","inputs":[2],"targets":[0,-2]}}""");
        Assert.Equal([-0.25, 1.25, 2.75, 4.25], x2);
        Assert.Equal([-1.25, -0.75, 0.25, 0.75, 1.75, 2.25, 3.25, 3.75], y2);
    }

    [Fact]
    public void NpzStoredAndCompressed()
    {
        var (x, _, y, _, yt) = Load("""{"type":"file","loss":"cross_entropy","train":"stored.npz"}"""); // arrays x and y
        Assert.Equal(X, x);
        Assert.Equal(Labels.Select(l => (double)l), y);
        Assert.Equal(ScalarType.Int64, yt);
        var (xc, _, yc, _, _) = Load("""{"type":"file","loss":"mse","train":"compressed.npz"}"""); // inputs and targets, deflated
        Assert.Equal(X, xc);
        Assert.Equal(YF8, yc);
        using var npz = NpzFile.Open(Path.Combine(Dir, "compressed.npz"));
        Assert.Equal(["inputs", "targets", "extra"], npz.Names);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], npz.Field("extra").Values); // Fortran order inside a deflated member
    }

    [Fact]
    public void TorchSaveDictsTuplesStridesAndLegacy()
    {
        var (x, _, y, _, _) = Load("""{"type":"file","loss":"cross_entropy","train":"dict_tensors.pt"}""");
        Assert.Equal(X, x);
        Assert.Equal(Labels.Select(l => (double)l), y);

        var (xt, xts, yt, _, _) = Load("""{"type":"file","loss":"mse","train":"strided.pt"}""");
        Assert.Equal([3L, 4], xts); // x_f4.t(), a strided view
        Assert.Equal([-1.25, 0.25, 1.75, 3.25, -0.75, 0.75, 2.25, 3.75, -0.25, 1.25, 2.75, 4.25], xt);
        Assert.Equal([1.0, -1.0, 0.5], yt);

        var (xp, _, yp, _, _) = Load("""{"type":"file","loss":"cross_entropy","train":"xy_tuple.pt"}"""); // torch.save((x, y))
        Assert.Equal(X, xp);
        Assert.Equal(Labels.Select(l => (double)l), yp);

        var (xl, _, yl, _, _) = Load("""{"type":"file","loss":"cross_entropy","train":"legacy.pt"}""");
        Assert.Equal(X, xl);
        Assert.Equal(Labels.Select(l => (double)l), yl);

        var (xk, xks, yk, _, _) = Load("""{"type":"file","loss":"cross_entropy","train":{"path":"nested.pt","key":"data.test"}}""");
        Assert.Equal([2L, 3], xks);
        Assert.Equal(X[6..], xk);
        Assert.Equal([1.0, 2.0], yk);
    }

    [Fact]
    public void PickledListsOfTuples()
    {
        // rows.pt: [(0.5, 1.5, 0), (2.0, -1.0, 1), (-0.25, 4.0, 1), (3.0, 3.0, 0), (1.0, 0.0, 2)] is a table.
        var (x, xs, y, _, _) = Load("""{"type":"file","loss":"cross_entropy","train":"rows.pt"}""");
        Assert.Equal([5L, 2], xs);
        Assert.Equal([0.5, 1.5, 2.0, -1.0, -0.25, 4.0, 3.0, 3.0, 1.0, 0.0], x);
        Assert.Equal([0.0, 1, 1, 0, 2], y);

        // samples.pt: [([0.0, 1.0], 1), ([2.0, 3.0], 0), ([4.0, 5.0], 1)] stacks item 0 and item 1.
        var (xs2, xs2s, ys2, _, _) = Load("""{"type":"file","loss":"cross_entropy","train":"samples.pt"}""");
        Assert.Equal([3L, 2], xs2s);
        Assert.Equal([0.0, 1, 2, 3, 4, 5], xs2);
        Assert.Equal([1.0, 0, 1], ys2);

        var (xt, xts, yt, _, _) = Load("""{"type":"file","loss":"cross_entropy","train":"tensor_samples.pt"}""");
        Assert.Equal([2L, 3], xts);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], xt);
        Assert.Equal([2.0, 0], yt);

        // A plain pickle.dump (protocol 4), not torch.save.
        var (xpl, _, ypl, _, _) = Load("""{"type":"file","loss":"mse","train":"plain.pkl"}""");
        Assert.Equal([1.0, 2, 3, 4], xpl);
        Assert.Equal([10.0, 20], ypl);
    }

    [Fact]
    public void NumpyArraysInsideTorchSave()
    {
        using var c = PickleDataFile.Open(Path.Combine(Dir, "numpy_arrays.pt"), null);
        Assert.Equal(X, c.Field("x").Values);
        Assert.Equal([2L, 3], c.Field("y").Shape);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], c.Field("y").Values); // Fortran-ordered array reordered
        // x has 4 rows, y 2: a clear mismatch error naming both selections.
        var e = Assert.Throws<DataFileException>(() => Load("""{"type":"file","loss":"mse","train":"numpy_arrays.pt"}"""));
        Assert.Contains("the targets ('y') have 2 rows but the inputs ('x') have 4", e.Message);
    }

    [Fact]
    public void PickleAllowlistStillRefusesCode()
    {
        var e = Assert.Throws<DataFileException>(() => Load("""{"type":"file","loss":"mse","train":"evil.pkl"}"""));
        Assert.Contains("refused global 'posix.system'", e.Message);
        Assert.StartsWith(Path.Combine(Dir, "evil.pkl"), e.Message);
    }

    [Fact]
    public void Safetensors()
    {
        var (x, _, y, ys, _) = Load("""{"type":"file","loss":"mse","train":"data.safetensors"}""");
        Assert.Equal(X, x);
        Assert.Equal(YF8, y);
        Assert.Equal([4L, 1], ys);
        var (_, _, l, _, lt) = Load("""{"type":"file","loss":"cross_entropy","train":{"path":"data.safetensors","targets":"labels"}}""");
        Assert.Equal(Labels.Select(v => (double)v), l);
        Assert.Equal(ScalarType.Int64, lt);
    }

    [Fact]
    public void CsvWithHeaderTextWithoutAndTsv()
    {
        // table.csv: header x1,x2,"label", a comment line and a trailing blank line; rows as in rows.pt.
        var (x, _, y, _, _) = Load("""{"type":"file","loss":"cross_entropy","train":"table.csv"}""");
        Assert.Equal([0.5, 1.5, 2.0, -1.0, -0.25, 4.0, 3.0, 3.0, 1.0, 0.0], x);
        Assert.Equal([0.0, 1, 1, 0, 2], y);
        var (xs, xss, ys, _, _) = Load("""{"type":"file","loss":"mse","train":{"path":"table.csv","inputs":["x2","x1"],"targets":"label"}}""");
        Assert.Equal([5L, 2], xss);
        Assert.Equal([1.5, 0.5, -1.0, 2.0, 4.0, -0.25, 3.0, 3.0, 0.0, 1.0], xs);
        Assert.Equal([0.0, 1, 1, 0, 2], ys);

        // table.txt written by np.savetxt: '1 2 0.5', '3 -4 1.5', '5 0.6 -2.5'.
        var (xt, _, yt, _, _) = Load("""{"type":"file","loss":"mse","train":{"path":"table.txt","targets":-1}}""");
        Assert.Equal([1.0, 2, 3, -4, 5, 0.6], xt);
        Assert.Equal([0.5, 1.5, -2.5], yt);
        var (xn, _, _, _, _) = Load("""{"type":"file","loss":"mse","train":{"path":"table.txt","inputs":["0"],"targets":[1,2]}}""");
        Assert.Equal([1.0, 3, 5], xn);

        var (xv, _, yv, _, _) = Load("""{"type":"file","loss":"mse","train":"table.tsv"}""");
        Assert.Equal([1.0, 2, 4, 5], xv);
        Assert.Equal([3.0, 6], yv);
    }

    [Theory]
    [InlineData("bad_row.csv", "line 3: 2 fields, expected 3 as in the header")]
    [InlineData("bad_number.csv", "line 3, column 'b': 'five' is not a finite number")]
    public void TextErrorsGiveLineNumbers(string file, string message)
    {
        var e = Assert.Throws<DataFileException>(() => Load($$"""{"type":"file","loss":"mse","train":"{{file}}"}"""));
        Assert.Equal($"{Path.Combine(Dir, file)}: {message}", e.Message);
    }

    [Fact]
    public void SeededSplitOfOneSource()
    {
        // 5 rows, fraction 0.6, seed 1: train rows [0, 1, 3], test rows [2, 4] (the Python re-implementation's split).
        var spec = Spec("""{"type":"file","loss":"cross_entropy","data":"rows.pt","train_fraction":0.6,"seed":1}""");
        using var train = spec.LoadTraining();
        using var test = spec.LoadTest()!;
        Assert.Equal([0L, 1, 0], train.Targets.data<long>().ToArray());
        Assert.Equal([1L, 2], test.Targets.data<long>().ToArray());
        Assert.Equal([0.5f, 1.5f, 2.0f, -1.0f, 3.0f, 3.0f], train.Inputs.data<float>().ToArray());
        Assert.Null(((FileTaskSpec)spec with { TrainFraction = 1.0 }).LoadTest());
    }

    [Fact]
    public void GivenTestFile()
    {
        var spec = Spec("""{"type":"file","loss":"cross_entropy","train":{"path":"nested.pt","key":"data.train"},"test":{"path":"nested.pt","key":"data.test"},"num_classes":3}""");
        using var train = spec.LoadTraining();
        using var test = spec.LoadTest()!;
        Assert.Equal(2, train.Count);
        Assert.Equal([1L, 2], test.Targets.data<long>().ToArray());
        Assert.Equal(3L, spec.OutputSize);
        Assert.Null(Spec("""{"type":"file","loss":"mse","train":"x_f4.npy"}""").LoadTest());
    }

    [Fact]
    public void TokenInputsStayIntegers()
    {
        var spec = Spec("""{"type":"file","loss":"cross_entropy","input_type":"tokens","train":"rows.pt"}""");
        var e = Assert.Throws<DataFileException>(() => spec.LoadTraining()); // rows.pt starts with 0.5
        Assert.Contains("input token '0', '1' at sample 0 is 0.5; expected a non-negative integer", e.Message);
        using var data = Spec("""{"type":"file","loss":"cross_entropy","input_type":"tokens","train":{"path":"samples.pt"}}""").LoadTraining();
        Assert.Equal(ScalarType.Int64, data.Inputs.dtype);
        Assert.Equal([0L, 1, 2, 3, 4, 5], data.Inputs.data<long>().ToArray());
    }

    [Theory]
    [InlineData("""{"type":"file","loss":"mse","train":"missing.npy"}""", "missing.npy: no such file")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"stored.npz","inputs":"z"}}""", "stored.npz: no array named 'z' for the inputs (the file has 'x', 'y')")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"table.csv","targets":7}}""", "table.csv: column index 7 for the targets is out of range: the file has 3 columns")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"stored.npz","targets":0}}""", "stored.npz: column index 0 for the targets needs a table or a single 2-D array")]
    [InlineData("""{"type":"file","loss":"cross_entropy","train":{"inputs":{"path":"x_f4.npy"},"targets":{"path":"y_f8.npy"}}}""", "y_f8.npy: class index 'array' at sample 0 is 0.1; expected a non-negative integer")]
    [InlineData("""{"type":"file","loss":"cross_entropy","num_classes":2,"train":"stored.npz"}""", "stored.npz: class index 'y' at sample 1 is 2; expected less than num_classes = 2")]
    [InlineData("""{"type":"file","loss":"cross_entropy","train":{"path":"stored.npz","targets":"x","inputs":"x"}}""", "cross_entropy needs one class index per sample, but the targets ('x') have shape [4, 3]")]
    [InlineData("""{"type":"file","loss":"mse","train":"compressed.npz","test":{"path":"dict_tensors.pt","targets":"epoch"}}""", "the targets array 'epoch' is a single number")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"i4_3d.npy"}}""", "i4_3d.npy: cannot tell which arrays are the targets")]
    public void DataErrorsNameTheFileAndWhatWasExpected(string json, string fragment)
    {
        var spec = Spec(json);
        var e = Assert.Throws<DataFileException>(() =>
        {
            using var train = spec.LoadTraining();
            using var test = spec.LoadTest();
        });
        Assert.Contains(fragment, e.Message);
        Assert.StartsWith(Dir, e.Message);
    }

    [Fact]
    public void RelativePathsResolveAgainstTheSpecFilesFolder()
    {
        string dir = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(dir, "data"));
        File.Copy(Path.Combine(Dir, "x_f4.npy"), Path.Combine(dir, "data", "x.npy"));
        File.Copy(Path.Combine(Dir, "labels_i8.npy"), Path.Combine(dir, "data", "y.npy"));
        string specPath = Path.Combine(dir, "task.json");
        File.WriteAllText(specPath, """
            {"type": "file", "loss": "cross_entropy",
             "train": {"inputs": {"path": "data/x.npy"}, "targets": {"path": "data/y.npy"}}}
            """);
        var spec = (FileTaskSpec)TaskSpec.FromJsonFile(specPath);
        Assert.Equal(dir, spec.BaseDirectory);
        using var data = spec.LoadTraining();
        Assert.Equal(Labels, data.Targets.data<long>().ToArray());
        // The JSON keeps the path as written.
        Assert.Equal("data/x.npy", spec.ToJson()["train"]!["inputs"]!["path"]!.GetValue<string>());
    }
}
