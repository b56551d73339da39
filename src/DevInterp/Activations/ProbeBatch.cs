using DevInterp.Checkpoints;
using TorchSharp;

namespace DevInterp.Activations;

/// <summary>
/// The fixed inputs every checkpoint of an analysis is run on: float features [B, ..., in] or int64 token ids [B, T].
/// Owns a private CPU copy of its tensor.
/// </summary>
public sealed class ProbeBatch : IDisposable
{
    private ProbeBatch(torch.Tensor inputs) => Inputs = inputs;

    /// <summary>The inputs, samples first.</summary>
    public torch.Tensor Inputs { get; }

    /// <summary>Number of samples B.</summary>
    public long Count => Inputs.shape[0];

    /// <summary>A probe batch holding a copy of <paramref name="inputs"/> (samples first).</summary>
    /// <exception cref="ArgumentException">Not a float tensor with a sample and a feature dimension, nor int64 tokens [B, T].</exception>
    public static ProbeBatch From(torch.Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ProbeLayout.Of(inputs); // checks the shape and dtype
        return new ProbeBatch(inputs.detach().cpu().contiguous().clone().DetachFromDisposeScope());
    }

    /// <summary>
    /// <paramref name="count"/> distinct rows of <paramref name="data"/> (samples first), chosen uniformly with a private
    /// generator seeded by <paramref name="seed"/> and kept in their original order: the same seed gives the same rows.
    /// </summary>
    public static ProbeBatch Sample(torch.Tensor data, long count, long seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.dim() < 1) throw new ArgumentException("data: expected samples along the first dimension, got a scalar", nameof(data));
        long n = data.shape[0];
        if (count < 1 || count > n)
            throw new ArgumentOutOfRangeException(nameof(count), $"probe size: expected 1 to {n} (the rows available), got {count}");
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator(unchecked((ulong)seed));
        var rows = torch.randperm(n, generator: generator).narrow(0, 0, count).sort().Values;
        return From(data.index_select(0, rows));
    }

    /// <summary>
    /// Reads the probe inputs from a tensor file (safetensors, or a PyTorch file holding a tensor or a dict of them),
    /// optionally keeping <paramref name="count"/> rows drawn with <paramref name="seed"/> (see <see cref="Sample"/>).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="tensor">Name of the tensor; may be omitted when the file holds exactly one.</param>
    /// <param name="count">Rows to keep; null for all.</param>
    /// <param name="seed">Seed of the row choice.</param>
    /// <exception cref="CheckpointFormatException">The file cannot be read, or the tensor is missing or ambiguous.</exception>
    public static ProbeBatch FromFile(string path, string? tensor = null, long? count = null, long seed = 0)
    {
        using var reader = CheckpointFile.Open(path);
        string name = tensor ?? reader.Tensors switch
        {
            [var only] => only.Name,
            [] => throw new CheckpointFormatException(path, "holds no tensor to use as probe inputs"),
            var many => throw new CheckpointFormatException(path,
                $"holds {many.Count} tensors ({string.Join(", ", many.Take(8).Select(t => t.Name))}{(many.Count > 8 ? ", ..." : "")}); name the one holding the probe inputs"),
        };
        if (!reader.Tensors.Any(t => t.Name == name))
            throw new CheckpointFormatException(path, $"has no tensor named '{name}' (it has: {string.Join(", ", reader.Tensors.Take(8).Select(t => t.Name))})");
        using var scope = torch.NewDisposeScope();
        var values = reader.ReadTorch(name);
        try
        {
            return count is { } k ? Sample(values, k, seed) : From(values);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}': {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Inputs.Dispose();
}
