using System.Text.Json.Nodes;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using DevInterp.Tasks.Files;
using static TorchSharp.torch;

namespace DevInterp.Tasks;

/// <summary>The loss of a <c>file</c> task.</summary>
public enum FileTaskLoss
{
    /// <summary>Squared error summed over outputs, averaged over samples (<see cref="SquaredErrorLoss"/>); JSON <c>mse</c>.</summary>
    Mse,

    /// <summary>Cross-entropy of logits against integer class targets (<see cref="LastPositionCrossEntropyLoss"/>); JSON <c>cross_entropy</c>.</summary>
    CrossEntropy,

    /// <summary>Gaussian negative log-likelihood Σ(ŷ − y)²/(2σ²) without its constant (<see cref="GaussianNllLoss"/>); JSON <c>gaussian_nll</c>.</summary>
    GaussianNll,
}

/// <summary>What the inputs of a <c>file</c> task are.</summary>
public enum FileInputType
{
    /// <summary>Floating-point features (converted to the requested dtype).</summary>
    Features,

    /// <summary>Integer tokens for a sequence model (kept as int64; every value must be a non-negative integer).</summary>
    Tokens,
}

/// <summary>
/// Supervised data read from files, for runs DevInterp did not train: a training split and an optional test split
/// (given as files, or cut from one data source by a seeded fraction), each with inputs and targets chosen from
/// safetensors, torch.save/pickle, .npy, .npz, CSV, whitespace text or Arrow IPC files, and a regression or
/// classification loss. docs/tasks.md documents the JSON and the defaults.
/// </summary>
/// <param name="Loss">The training loss.</param>
/// <param name="Train">The training split, or with <paramref name="TrainFraction"/> all data, to be split.</param>
/// <param name="Test">The test split (only without <paramref name="TrainFraction"/>), or null.</param>
/// <param name="TrainFraction">When set, <paramref name="Train"/> holds all data and this fraction of it (⌊fraction·n⌋ samples, <see cref="SeededSplit"/>) is the training set, the rest the test set.</param>
/// <param name="Seed">Seed of the split.</param>
/// <param name="Sigma">σ of <see cref="FileTaskLoss.GaussianNll"/>.</param>
/// <param name="NumClasses">For cross-entropy: the number of classes (targets must lie below it), or null to accept any non-negative integer.</param>
/// <param name="InputType">Features or tokens.</param>
public sealed record FileTaskSpec(FileTaskLoss Loss, DataSource Train, DataSource? Test = null, double? TrainFraction = null, long Seed = 0,
    double Sigma = 1.0, int? NumClasses = null, FileInputType InputType = FileInputType.Features) : TaskSpec
{
    /// <summary>The <c>type</c> value.</summary>
    public const string TypeName = "file";

    private static readonly string[] LossNames = ["mse", "cross_entropy", "gaussian_nll"];
    private static readonly string[] InputTypeNames = ["features", "tokens"];

    /// <summary>The folder relative paths resolve against (the task JSON file's folder), or null for the current directory. Not written to JSON.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Rows to keep, by their target (JSON <c>where</c>, e.g. <c>"target &lt;= 4"</c>), applied to every split before any <see cref="TrainFraction"/> split; null keeps all.</summary>
    public RowCondition? Where { get; init; }

    /// <summary>Class renumbering (JSON <c>relabel</c>; cross_entropy only), applied after <see cref="Where"/>; null keeps the labels.</summary>
    public LabelMap? Relabel { get; init; }

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>Null: the input width is known only from the data.</summary>
    public override long? InputSize => null;

    /// <summary>The number of classes when given, else null (known only from the data).</summary>
    public override long? OutputSize => Loss == FileTaskLoss.CrossEntropy ? NumClasses : null;

    /// <inheritdoc />
    public override bool TokenInputs => InputType == FileInputType.Tokens;

    /// <summary>The JSON name of a loss.</summary>
    public static string LossName(FileTaskLoss loss) => LossNames[(int)loss];

    internal static FileTaskSpec Read(SpecReader r, JsonObject json, string? baseDirectory)
    {
        var loss = (FileTaskLoss)Array.IndexOf(LossNames, r.RequireString("loss", LossNames));
        double? fraction = r.OptionalDouble("train_fraction", null, 0, 1, exclusiveMin: true);
        bool hasTrain = r.Has("train"), hasData = r.Has("data"), hasTest = r.Has("test"), hasSeed = r.Has("seed");
        long seed = r.OptionalInt("seed", 0) ?? 0;
        double? sigma = r.Has("sigma") ? r.RequireDouble("sigma", 0, double.PositiveInfinity, exclusiveMin: true) : null;
        int? classes = r.Has("num_classes") ? (int)r.RequireInt("num_classes", 1, int.MaxValue) : null;
        var inputType = (FileInputType)Array.IndexOf(InputTypeNames, r.OptionalString("input_type", "features", InputTypeNames)!);
        var where = r.OptionalString("where", null) is { } condition ? RowCondition.Parse(condition) : null;
        var relabel = r.Has("relabel") ? LabelMap.Read(json["relabel"]!, "relabel") : null;
        r.RejectUnknown();

        DataSource train;
        DataSource? test = null;
        if (fraction is not null)
        {
            if (hasTrain) throw r.Error("train", "with \"train_fraction\", give all data as \"data\" (it is split into train and test)");
            if (hasTest) throw r.Error("test", "with \"train_fraction\" the test set is the rest of \"data\"; drop one of them");
            if (!hasData) throw r.Error("data", "required with \"train_fraction\" (the data to split)");
            if (!hasSeed) throw r.Error("seed", "required with \"train_fraction\" (the split's seed)");
            train = DataSourceJson.ReadSource(json["data"]!, "data");
        }
        else
        {
            if (hasData) throw r.Error("data", "only with \"train_fraction\"; without a split use \"train\" (and \"test\")");
            if (hasSeed) throw r.Error("seed", "only applies with \"train_fraction\"");
            if (!hasTrain) throw r.Error("train", "required (the training data: a file path or an object)");
            train = DataSourceJson.ReadSource(json["train"]!, "train");
            if (hasTest) test = DataSourceJson.ReadSource(json["test"]!, "test");
        }
        if (sigma is not null && loss != FileTaskLoss.GaussianNll) throw r.Error("sigma", "only applies to the gaussian_nll loss");
        if (classes is not null && loss != FileTaskLoss.CrossEntropy) throw r.Error("num_classes", "only applies to the cross_entropy loss");
        if (relabel is not null && loss != FileTaskLoss.CrossEntropy) throw r.Error("relabel", "only applies to the cross_entropy loss (class labels)");
        return new FileTaskSpec(loss, train, test, fraction, seed, sigma ?? 1.0, classes, inputType)
        {
            BaseDirectory = baseDirectory,
            Where = where,
            Relabel = relabel,
        };
    }

    /// <inheritdoc />
    public override JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = TypeName };
        if (TrainFraction is { } fraction)
        {
            json["data"] = DataSourceJson.Write(Train);
            json["train_fraction"] = fraction;
            json["seed"] = Seed;
        }
        else
        {
            json["train"] = DataSourceJson.Write(Train);
            if (Test is not null) json["test"] = DataSourceJson.Write(Test);
        }
        json["loss"] = LossName(Loss);
        if (Loss == FileTaskLoss.GaussianNll) json["sigma"] = Sigma;
        if (Loss == FileTaskLoss.CrossEntropy && NumClasses is { } classes) json["num_classes"] = classes;
        json["input_type"] = InputTypeNames[(int)InputType];
        if (Where is not null) json["where"] = Where.Text;
        if (Relabel is not null) json["relabel"] = Relabel.ToJson();
        return json;
    }

    /// <inheritdoc />
    public override IChainLoss CreateLoss() => Loss switch
    {
        FileTaskLoss.Mse => new DevInterp.Llc.Potentials.SquaredErrorLoss(),
        FileTaskLoss.CrossEntropy => new LastPositionCrossEntropyLoss(),
        _ => new GaussianNllLoss(Sigma),
    };

    /// <inheritdoc />
    public override TaskData LoadTraining(ScalarType dtype = ScalarType.Float32)
    {
        Validate();
        var all = LoadSource(Train, TrainFraction is null ? "train" : "data");
        if (TrainFraction is null) return ToTaskData(all, null, dtype, Labels(all, null));
        var rows = Split(all).Train;
        return ToTaskData(all, rows, dtype, Labels(all, rows));
    }

    /// <summary>The test split, or null when there is none (no <c>test</c>, or a fraction that leaves no test sample).</summary>
    public override TaskData? LoadTest(ScalarType dtype = ScalarType.Float32)
    {
        Validate();
        if (TrainFraction is null)
        {
            if (Test is null) return null;
            var test = LoadSource(Test, "test");
            return ToTaskData(test, null, dtype, Relabel is { IsDense: true } ? Labels(LoadSource(Train, "train"), null) : Labels(test, null));
        }
        var all = LoadSource(Train, "data");
        var (trainRows, testRows) = Split(all);
        return testRows.Length == 0 ? null : ToTaskData(all, testRows, dtype, Labels(all, trainRows));
    }

    /// <summary>The training rows followed by the test rows (every input the task has); the training set alone when there is no test split.</summary>
    public override TaskData? LoadAll(ScalarType dtype = ScalarType.Float32)
    {
        Validate();
        var all = LoadSource(Train, TrainFraction is null ? "train" : "data");
        if (TrainFraction is not null) return ToTaskData(all, null, dtype, Labels(all, Split(all).Train));
        if (Test is null) return ToTaskData(all, null, dtype, Labels(all, null));
        var test = LoadSource(Test, "test");
        if (!all.Inputs.Shape[1..].SequenceEqual(test.Inputs.Shape[1..]) || !all.Targets.Shape[1..].SequenceEqual(test.Targets.Shape[1..]))
            throw new DataFileException(test.InputsPath, $"the test inputs {test.Inputs.ShapeText} and targets {test.Targets.ShapeText} do not line up with the training inputs {all.Inputs.ShapeText} and targets {all.Targets.ShapeText}");
        var both = new SourceLoader.Loaded(NumericArray.Concat(all.Inputs, test.Inputs), all.InputsPath, NumericArray.Concat(all.Targets, test.Targets), all.TargetsPath);
        return ToTaskData(both, null, dtype, Labels(all, null));
    }

    /// <inheritdoc />
    public override IReadOnlyList<DataFileRef> DataFiles => new[] { Train, Test }.OfType<DataSource>()
        .SelectMany(s => new[] { s.File, s.Inputs?.File, s.Targets?.File, s.Rows?.File }).OfType<DataFileRef>().ToList();

    /// <inheritdoc />
    public override string? DataBaseDirectory => BaseDirectory;

    /// <summary>A split's rows: the files read, then the index file's rows, then the rows <see cref="Where"/> keeps.</summary>
    private SourceLoader.Loaded LoadSource(DataSource source, string split)
    {
        var loaded = SourceLoader.Load(source, BaseDirectory);
        if (source.Rows is not null) loaded = RowIndexFile.Apply(loaded, source.Rows, BaseDirectory, split);
        if (Where is null) return loaded;
        var y = loaded.Targets;
        if (y.Width != 1)
            throw new DataFileException(loaded.TargetsPath, $"\"where\": \"{Where.Text}\" tests the target, but the targets ({y.Name}) have {y.Width} values per row; it needs one");
        var keep = new List<int>();
        for (int i = 0; i < y.Rows; i++)
            if (Where.Keeps(y.Values[i])) keep.Add(i);
        if (keep.Count == 0)
            throw new DataFileException(loaded.TargetsPath, $"\"where\": \"{Where.Text}\" keeps none of the {y.Rows} rows of the {split} split");
        return keep.Count == y.Rows ? loaded : loaded with { Inputs = loaded.Inputs.SelectRows(keep), Targets = loaded.Targets.SelectRows(keep) };
    }

    /// <summary>The training labels a dense relabelling numbers (rows of <paramref name="train"/>, or all when null); null without one.</summary>
    private IReadOnlyDictionary<double, long>? Labels(SourceLoader.Loaded train, int[]? rows)
    {
        if (Relabel is null || Loss != FileTaskLoss.CrossEntropy) return null;
        var y = rows is null ? train.Targets : train.Targets.SelectRows(rows);
        return Relabel.Resolve(y.Values);
    }

    private (int[] Train, int[] Test) Split(SourceLoader.Loaded all)
    {
        long n = all.Inputs.Rows;
        if (n > int.MaxValue) throw new DataFileException(all.InputsPath, $"{n} samples are too many to split");
        int nTrain = SeededSplit.TrainCount((int)n, TrainFraction!.Value);
        if (nTrain < 1)
            throw new DataFileException(all.InputsPath, $"train_fraction {TrainFraction} of {n} samples leaves no training sample");
        return SeededSplit.Split((int)n, TrainFraction.Value, Seed);
    }

    private TaskData ToTaskData(SourceLoader.Loaded loaded, int[]? rows, ScalarType dtype, IReadOnlyDictionary<double, long>? relabel)
    {
        var x = rows is null ? loaded.Inputs : loaded.Inputs.SelectRows(rows);
        var y = rows is null ? loaded.Targets : loaded.Targets.SelectRows(rows);
        if (relabel is not null) y = Renumber(y, relabel, loaded.TargetsPath);
        var inputs = InputType == FileInputType.Tokens
            ? Integers(x, loaded.InputsPath, "input token", null)
            : Floats(x, loaded.InputsPath, "input", dtype, x.Shape);
        Tensor targets;
        try
        {
            if (Loss == FileTaskLoss.CrossEntropy)
            {
                if (!(y.Shape.Length == 1 || (y.Shape.Length == 2 && y.Shape[1] == 1)))
                {
                    throw new DataFileException(loaded.TargetsPath,
                        $"cross_entropy needs one class index per sample, but the targets ({y.Name}) have shape {y.ShapeText}" +
                        (y.Shape.Length == 2 ? " (one-hot targets? store the class index instead)" : ""));
                }
                targets = Integers(new NumericArray(y.Name, [y.Rows], y.Values), loaded.TargetsPath, "class index", NumClasses);
            }
            else
            {
                long[] shape = y.Shape.Length == 1 ? [y.Rows, 1] : y.Shape;
                targets = Floats(y, loaded.TargetsPath, "target", dtype, shape);
            }
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
        return new TaskData(inputs, targets, CreateLoss()) { InputsSource = loaded.InputsPath, TargetsSource = loaded.TargetsPath };
    }

    private NumericArray Renumber(NumericArray y, IReadOnlyDictionary<double, long> map, string path)
    {
        var values = new double[y.Values.LongLength];
        for (long i = 0; i < values.LongLength; i++)
        {
            if (!map.TryGetValue(y.Values[i], out long to))
            {
                string known = string.Join(", ", map.Keys.Order().Take(12).Select(k => k.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
                throw new DataFileException(path, Relabel!.IsDense
                    ? $"label {y.Values[i]} at sample {i / Math.Max(1, y.Width)} does not occur in the training split, so \"relabel\": \"dense\" gives it no number (training labels: {known})"
                    : $"label {y.Values[i]} at sample {i / Math.Max(1, y.Width)} is not in \"relabel\" (it maps {known}); add it, or drop such rows with \"where\"");
            }
            values[i] = to;
        }
        return new NumericArray(y.Name, y.Shape, values);
    }

    private static Tensor Floats(NumericArray array, string path, string what, ScalarType dtype, long[] shape)
    {
        var v = array.Values;
        for (long i = 0; i < v.LongLength; i++)
        {
            if (!double.IsFinite(v[i]))
                throw new DataFileException(path, $"{what} {array.Name} at sample {i / Math.Max(1, array.Width)} is {v[i]}; expected a finite number");
        }
        using var t = tensor(v, shape, ScalarType.Float64);
        return t.to_type(dtype);
    }

    private static Tensor Integers(NumericArray array, string path, string what, int? limit)
    {
        var v = array.Values;
        var values = new long[v.LongLength];
        for (long i = 0; i < v.LongLength; i++)
        {
            double d = v[i];
            if (!(d >= 0) || d != Math.Floor(d) || d > 1L << 53)
                throw new DataFileException(path, $"{what} {array.Name} at sample {i / Math.Max(1, array.Width)} is {d}; expected a non-negative integer");
            if (limit is { } n && d >= n)
                throw new DataFileException(path, $"{what} {array.Name} at sample {i / Math.Max(1, array.Width)} is {d}; expected less than num_classes = {n}");
            values[i] = (long)d;
        }
        return tensor(values, array.Shape, ScalarType.Int64);
    }

    private void Validate()
    {
        if (!Enum.IsDefined(Loss)) throw new SpecFormatException(SpecName, "loss", $"unknown loss {Loss}");
        if (Train is null) throw new SpecFormatException(SpecName, "train", "required");
        if (TrainFraction is { } f && !(f > 0 && f <= 1)) throw new SpecFormatException(SpecName, "train_fraction", $"expected a number > 0 and <= 1, got {f}");
        if (TrainFraction is not null && Test is not null) throw new SpecFormatException(SpecName, "test", "a test split and a train_fraction exclude each other");
        if (!(Sigma > 0) || !double.IsFinite(Sigma)) throw new SpecFormatException(SpecName, "sigma", $"expected a finite number > 0, got {Sigma}");
        if (NumClasses is < 1) throw new SpecFormatException(SpecName, "num_classes", $"expected an integer >= 1, got {NumClasses}");
    }
}
