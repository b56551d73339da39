using System.Text.Json.Nodes;
using DevInterp.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>
/// What network to build, as the JSON object stored in a run manifest's <c>model</c> field. The <c>type</c> field
/// selects the architecture (<c>mlp</c>, <c>dln</c>, <c>tms</c>, <c>transformer</c>); see docs/models.md for every
/// field, the parameter names each type produces and examples.
/// </summary>
public abstract record ModelSpec
{
    /// <summary>The spec kind used in error messages.</summary>
    internal const string SpecName = "model spec";

    /// <summary>The architectures a spec can name, as written in the <c>type</c> field.</summary>
    public static IReadOnlyList<string> Types { get; } = [MlpSpec.TypeName, DlnSpec.TypeName, TmsSpec.TypeName, TransformerSpec.TypeName];

    /// <summary>The <c>type</c> discriminator.</summary>
    public abstract string Type { get; }

    /// <summary>Width of the input vector, for models that take vectors (null for token models).</summary>
    public abstract long? InputSize { get; }

    /// <summary>Width of the output vector (the vocabulary for token models).</summary>
    public abstract long OutputSize { get; }

    /// <summary>For models that take int64 token ids: the vocabulary (ids lie below it); null for models that take float features.</summary>
    public virtual long? TokenVocabulary => null;

    /// <summary>For token models: the sequence length the model accepts, described for messages when <paramref name="length"/> is not one of them; null when it is.</summary>
    public virtual string? RejectSequenceLength(long length) => null;

    /// <summary>
    /// The parameters a built module has, in registration order, with exactly the names <c>named_parameters()</c> and
    /// <c>state_dict()</c> report and the shapes PyTorch would give them.
    /// </summary>
    public abstract IReadOnlyList<ParameterShape> Parameters { get; }

    /// <summary>Total number of scalar parameters.</summary>
    public long ParameterCount => Parameters.Sum(p => p.ElementCount);

    /// <summary>Reads a spec from its JSON object.</summary>
    /// <exception cref="SpecFormatException">A field is missing, unknown, of the wrong kind or out of range.</exception>
    public static ModelSpec Parse(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var reader = new SpecReader(json, SpecName);
        string type = reader.RequireString("type", [.. Types]);
        return type switch
        {
            MlpSpec.TypeName => MlpSpec.Read(reader),
            DlnSpec.TypeName => DlnSpec.Read(reader),
            TmsSpec.TypeName => TmsSpec.Read(reader),
            _ => TransformerSpec.Read(reader),
        };
    }

    /// <summary>Reads a spec from JSON text.</summary>
    public static ModelSpec Parse(string json) => Parse(SpecReader.ParseObject(json, SpecName));

    /// <summary>Reads a spec from a JSON file; errors name the file and the field.</summary>
    public static ModelSpec FromJsonFile(string path) => SpecReader.FromFile(path, SpecName, Parse);

    /// <summary>The spec as JSON (every field written, defaults included), readable by <see cref="Parse(JsonObject)"/>.</summary>
    public abstract JsonObject ToJson();

    /// <summary>
    /// Builds the module with parameters initialised from <paramref name="seed"/> (a private generator: the global torch
    /// seed is neither read nor changed), in float32 (default) or float64.
    /// </summary>
    public nn.Module<Tensor, Tensor> Build(long seed, ScalarType dtype = ScalarType.Float32)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"models are built in float32 or float64, not {dtype}", nameof(dtype));
        using var generator = new Generator(unchecked((ulong)seed));
        // TorchSharp's layer constructors draw a default initialisation from the global generator before we overwrite
        // it; restoring the global state keeps Build free of side effects on other seeded code.
        using var globalState = get_rng_state();
        try
        {
            return BuildCore(generator, dtype);
        }
        finally
        {
            set_rng_state(globalState);
        }
    }

    /// <summary>
    /// Builds the module and loads a checkpoint into it (strict unless <paramref name="options"/> say otherwise): the
    /// one call that turns a run's checkpoint into a model.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The checkpoint does not fit the spec (every problem listed).</exception>
    public nn.Module<Tensor, Tensor> Load(ICheckpointReader reader, ScalarType dtype = ScalarType.Float32, StateDictLoadOptions? options = null)
    {
        var module = Build(0, dtype);
        try
        {
            StateDictLoader.Load(module, reader, options);
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>Opens a checkpoint file and loads it into a newly built module (see <see cref="Load(ICheckpointReader, ScalarType, StateDictLoadOptions?)"/>).</summary>
    public nn.Module<Tensor, Tensor> Load(string checkpointPath, ScalarType dtype = ScalarType.Float32, StateDictLoadOptions? options = null)
    {
        using var reader = CheckpointFile.Open(checkpointPath);
        return Load(reader, dtype, options);
    }

    /// <summary>Creates the module and initialises it from <paramref name="generator"/>.</summary>
    protected abstract nn.Module<Tensor, Tensor> BuildCore(Generator generator, ScalarType dtype);

    /// <inheritdoc />
    public override string ToString() => ToJson().ToJsonString();
}

/// <summary>A parameter's name and shape as a built module reports them.</summary>
public sealed record ParameterShape(string Name, IReadOnlyList<long> Shape)
{
    /// <summary>Creates the record from a name and dimensions.</summary>
    public ParameterShape(string name, params long[] shape) : this(name, (IReadOnlyList<long>)shape) { }

    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <inheritdoc />
    public bool Equals(ParameterShape? other) => other is not null && Name == other.Name && Shape.SequenceEqual(other.Shape);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Shape.Count);

    /// <inheritdoc />
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]";
}
