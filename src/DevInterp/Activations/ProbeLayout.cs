using TorchSharp;

namespace DevInterp.Activations;

/// <summary>
/// Which dimensions of a probe batch index samples: for float inputs [B, ..., in] all but the last (features), for int64
/// token ids [B, T] both (each token is a row) — unless the model's output has no position dimension (an MLP embedding
/// its tokens), when each sample is a row (<see cref="PerSample"/>). Captured tensors are flattened so that these
/// dimensions become rows.
/// </summary>
internal sealed record ProbeLayout(long[] RowShape, bool Tokens)
{
    /// <summary>Rows of every captured matrix: the product of the row dimensions (B, or B·T for tokens).</summary>
    public long Rows => RowShape.Aggregate(1L, (a, b) => a * b);

    public static ProbeLayout Of(torch.Tensor probe)
    {
        if (probe.is_floating_point())
        {
            if (probe.dim() < 2 || probe.shape[0] < 1)
                throw new ArgumentException($"probe: float inputs need a sample and a feature dimension [B, ..., in], got shape [{string.Join(", ", probe.shape)}]", nameof(probe));
            return new ProbeLayout(probe.shape[..^1], false);
        }
        if (probe.dtype != torch.ScalarType.Int64)
            throw new ArgumentException($"probe: expected float features or int64 token ids, got {probe.dtype}", nameof(probe));
        if (probe.dim() != 2 || probe.shape[0] < 1 || probe.shape[1] < 1)
            throw new ArgumentException($"probe: token ids must be [batch, positions], got shape [{string.Join(", ", probe.shape)}]", nameof(probe));
        return new ProbeLayout(probe.shape, true);
    }

    /// <summary>One row per sample (the batch dimension alone), for token inputs to a model that is not a sequence model.</summary>
    public ProbeLayout PerSample() => new([RowShape[0]], false);

    /// <summary>
    /// <paramref name="output"/> as float64 [rows, features]: the row dimensions lead and the rest is flattened into
    /// features (row-major, so rows run over the batch, then positions). A 4-D output of a token model, [B, H, T, K], is an
    /// attention pattern: it gives rows (batch, query position) and features (head, key position).
    /// </summary>
    public torch.Tensor Flatten(torch.Tensor output, string layer)
    {
        var shape = output.shape;
        torch.Tensor matrix;
        if (Tokens && shape.Length == 4 && shape[0] == RowShape[0] && shape[2] == RowShape[1])
            matrix = output.permute(0, 2, 1, 3).reshape(Rows, -1);
        else if (shape.Length >= RowShape.Length && shape[..RowShape.Length].SequenceEqual(RowShape))
            matrix = output.reshape(Rows, -1);
        else
            throw new InvalidOperationException(
                $"layer '{layer}': output shape [{string.Join(", ", shape)}] does not start with the probe's sample dimensions [{string.Join(", ", RowShape)}]; it cannot be read as one row per sample{(Tokens ? " and position" : "")}");
        return matrix.to_type(torch.ScalarType.Float64).contiguous();
    }
}
