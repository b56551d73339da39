using System.Text.Json.Nodes;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tasks;

/// <summary>
/// The data a model is trained on and the loss it is trained with, described completely enough to rebuild the training
/// set (the LLC of a checkpoint is defined by the empirical loss on that set). The <c>type</c> field selects
/// <c>tms</c> (<see cref="TmsTaskSpec"/>), <c>dln</c> (<see cref="DlnTaskSpec"/>), <c>modular</c>
/// (<see cref="ModularTaskSpec"/>) or <c>file</c> (<see cref="FileTaskSpec"/>, data of a foreign run read from files);
/// docs/tasks.md documents every field.
/// </summary>
public abstract record TaskSpec
{
    internal const string SpecName = "task spec";

    /// <summary>The loss of the tms and dln tasks: mean over samples of the weighted sum of squared output errors.</summary>
    public const string SquaredErrorLoss = "squared_error";

    /// <summary>The task types.</summary>
    public static IReadOnlyList<string> Types { get; } =
        [TmsTaskSpec.TypeName, DlnTaskSpec.TypeName, ModularTaskSpec.TypeName, FileTaskSpec.TypeName];

    /// <summary>The <c>type</c> discriminator.</summary>
    public abstract string Type { get; }

    /// <summary>Width of each input, or null when the inputs are tokens or their width is only known from the data files.</summary>
    public abstract long? InputSize { get; }

    /// <summary>Width of each model output (number of classes for classification), or null when only the data files tell.</summary>
    public abstract long? OutputSize { get; }

    /// <summary>True when the inputs are integer tokens for a sequence model rather than feature vectors.</summary>
    public virtual bool TokenInputs => false;

    /// <summary>The task's training loss, exactly as the task defines it (the loss the LLC must be measured with).</summary>
    public abstract IChainLoss CreateLoss();

    /// <summary>
    /// The training set and the task's loss, as the LLC estimator consumes them: <c>using var train =
    /// spec.LoadTraining(); var (data, loss) = train;</c>. Floating-point values are in <paramref name="dtype"/>
    /// (generated tasks compute in float64, then convert); class indices and tokens stay int64.
    /// </summary>
    /// <exception cref="SpecFormatException">A field of the spec is out of range.</exception>
    /// <exception cref="DataFileException">A data file cannot be read or does not hold what the spec says.</exception>
    public abstract TaskData LoadTraining(ScalarType dtype = ScalarType.Float32);

    /// <summary>The held-out test set with the same loss, or null when the task has none (tms, dln).</summary>
    public virtual TaskData? LoadTest(ScalarType dtype = ScalarType.Float32) => null;

    /// <summary>
    /// Every input the task has, labelled: all pairs of a modular task, the training and test rows of a file task; null
    /// when the task's input space is not a finite list (tms, dln draw samples from a distribution).
    /// </summary>
    public virtual TaskData? LoadAll(ScalarType dtype = ScalarType.Float32) => null;

    /// <summary>The data files the task reads (relative paths resolve against the task's base directory); empty for generated tasks.</summary>
    public virtual IReadOnlyList<DataFileRef> DataFiles => [];

    /// <summary>The folder the <see cref="DataFiles"/> resolve against (null: the current directory).</summary>
    public virtual string? DataBaseDirectory => null;

    /// <summary>The training set: the same as <see cref="LoadTraining"/> (the name the generated tasks started with).</summary>
    public TaskData Generate(ScalarType dtype = ScalarType.Float32) => LoadTraining(dtype);

    /// <summary>The spec as JSON (every field written), readable by <see cref="Parse(JsonObject)"/>.</summary>
    public abstract JsonObject ToJson();

    /// <summary>Reads a task spec; relative data paths resolve against the current directory.</summary>
    /// <exception cref="SpecFormatException">A field is missing, unknown, of the wrong kind or out of range.</exception>
    public static TaskSpec Parse(JsonObject json) => Parse(json, null);

    /// <summary>Reads a task spec whose relative data paths resolve against <paramref name="baseDirectory"/> (null: the current directory).</summary>
    /// <exception cref="SpecFormatException">A field is missing, unknown, of the wrong kind or out of range.</exception>
    public static TaskSpec Parse(JsonObject json, string? baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(json);
        var r = new SpecReader(json, SpecName);
        string type = r.RequireString("type", [.. Types]);
        return type switch
        {
            TmsTaskSpec.TypeName => TmsTaskSpec.Read(r),
            DlnTaskSpec.TypeName => DlnTaskSpec.Read(r),
            ModularTaskSpec.TypeName => ModularTaskSpec.Read(r, json, baseDirectory),
            _ => FileTaskSpec.Read(r, json, baseDirectory),
        };
    }

    /// <summary>Reads a task spec from JSON text.</summary>
    public static TaskSpec Parse(string json, string? baseDirectory = null) => Parse(SpecReader.ParseObject(json, SpecName), baseDirectory);

    /// <summary>Reads a task spec file; relative data paths resolve against the file's folder; errors name the file and the field.</summary>
    public static TaskSpec FromJsonFile(string path) =>
        SpecReader.FromFile(path, SpecName, json => Parse(json, Path.GetDirectoryName(Path.GetFullPath(path))));

    /// <summary>Tensor [rows, cols] from row-major float64 values.</summary>
    internal static Tensor Matrix(double[] values, long rows, long cols, ScalarType dtype)
    {
        using var t = tensor(values, [rows, cols], ScalarType.Float64);
        return t.to_type(dtype);
    }

    /// <inheritdoc />
    public override string ToString() => ToJson().ToJsonString();
}
