using System.Text.Json.Nodes;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tasks;

/// <summary>
/// The data a model is trained on, described completely enough to regenerate it bit for bit (later stages rebuild the
/// training set from a run manifest's <c>task</c> field to estimate learning coefficients). The <c>type</c> field
/// selects <c>tms</c> (<see cref="TmsTaskSpec"/>) or <c>dln</c> (<see cref="DlnTaskSpec"/>); docs/demo-runs.md gives
/// the generation procedure.
/// </summary>
public abstract record TaskSpec
{
    internal const string SpecName = "task spec";

    /// <summary>The only loss the tasks use: mean over samples of the weighted sum of squared output errors.</summary>
    public const string SquaredErrorLoss = "squared_error";

    /// <summary>The task types.</summary>
    public static IReadOnlyList<string> Types { get; } = [TmsTaskSpec.TypeName, DlnTaskSpec.TypeName];

    /// <summary>The <c>type</c> discriminator.</summary>
    public abstract string Type { get; }

    /// <summary>Number of training samples n.</summary>
    public abstract int NTrain { get; init; }

    /// <summary>Seed of the data generator (<see cref="TaskRng"/>).</summary>
    public abstract long Seed { get; init; }

    /// <summary>Width of each input.</summary>
    public abstract long InputSize { get; }

    /// <summary>Width of each target.</summary>
    public abstract long OutputSize { get; }

    /// <summary>Generates the training set in <paramref name="dtype"/> (values are computed in float64, then converted).</summary>
    public abstract TaskData Generate(ScalarType dtype = ScalarType.Float32);

    /// <summary>The spec as JSON (every field written), readable by <see cref="Parse(JsonObject)"/>.</summary>
    public abstract JsonObject ToJson();

    /// <summary>Reads a task spec.</summary>
    /// <exception cref="SpecFormatException">A field is missing, unknown, of the wrong kind or out of range.</exception>
    public static TaskSpec Parse(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var r = new SpecReader(json, SpecName);
        string type = r.RequireString("type", [.. Types]);
        r.OptionalString("loss", SquaredErrorLoss, SquaredErrorLoss);
        return type == TmsTaskSpec.TypeName ? TmsTaskSpec.Read(r) : DlnTaskSpec.Read(r);
    }

    /// <summary>Reads a task spec from JSON text.</summary>
    public static TaskSpec Parse(string json) => Parse(SpecReader.ParseObject(json, SpecName));

    /// <summary>Reads a task spec file; errors name the file and the field.</summary>
    public static TaskSpec FromJsonFile(string path) => SpecReader.FromFile(path, SpecName, Parse);

    /// <summary>Tensor [rows, cols] from row-major float64 values.</summary>
    internal static Tensor Matrix(double[] values, long rows, long cols, ScalarType dtype)
    {
        using var t = tensor(values, [rows, cols], ScalarType.Float64);
        return t.to_type(dtype);
    }

    /// <inheritdoc />
    public override string ToString() => ToJson().ToJsonString();
}
