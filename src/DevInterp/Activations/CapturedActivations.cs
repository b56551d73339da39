using DevInterp.Numerics;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Activations;

/// <summary>
/// One forward pass's captured layer outputs and model output, each a float64 CPU tensor [rows, features] (rows = probe
/// samples; batch × positions, batch-major, for token inputs). Owns the tensors: they are disposed with this object.
/// Hand a layer to <c>StepSimilarityAccumulator.Add(step, tensor)</c> directly (it copies).
/// </summary>
public sealed class CapturedActivations : IDisposable
{
    private readonly Dictionary<string, torch.Tensor> _byName;

    internal CapturedActivations(IReadOnlyList<(string Name, torch.Tensor Matrix)> layers, torch.Tensor output,
        IReadOnlyList<string> notRun, long rows)
    {
        _byName = layers.ToDictionary(l => l.Name, l => l.Matrix);
        Layers = layers.Select(l => l.Name).ToList();
        Output = output;
        NotRun = notRun;
        Rows = rows;
    }

    /// <summary>The captured layers, in module order.</summary>
    public IReadOnlyList<string> Layers { get; }

    /// <summary>Hooked layers that did not run in this forward pass.</summary>
    public IReadOnlyList<string> NotRun { get; }

    /// <summary>Rows of every matrix.</summary>
    public long Rows { get; }

    /// <summary>The model's output [rows, outputs] (logits for a transformer: [batch·positions, vocab]).</summary>
    public torch.Tensor Output { get; }

    /// <summary>A layer's output [rows, features].</summary>
    /// <exception cref="KeyNotFoundException">The layer was not captured (the message lists those that were).</exception>
    public torch.Tensor this[string layer] => _byName.TryGetValue(layer, out var t) ? t
        : throw new KeyNotFoundException($"layer '{layer}' was not captured (captured: {string.Join(", ", Layers)})");

    /// <summary>A copy of a captured tensor as a MathNet matrix.</summary>
    public static Matrix<double> ToMatrix(torch.Tensor matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.dim() != 2) throw new ArgumentException($"matrix: expected 2 dimensions, got {matrix.dim()}", nameof(matrix));
        return Matrix<double>.Build.DenseOfRowMajor((int)matrix.shape[0], (int)matrix.shape[1], TorchMatrix.ToRowMajor(matrix));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _byName.Values) t.Dispose();
        Output.Dispose();
    }
}
