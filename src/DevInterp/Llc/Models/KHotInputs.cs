using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>
/// Inputs whose every row holds k ones and zeros elsewhere: one-hot tokens, such as a concatenated one-hot pair (a, b)
/// of modular arithmetic (k = 2). A linear layer on such rows is a sum of k columns of its matrix, and its weight
/// gradient a scatter-add of the back-propagated error into k columns: O(k·out) work per row instead of O(in·out).
/// <see cref="Potentials.BatchedPotential"/> detects them and hands the linear stacks their columns
/// (<see cref="KHotBatch"/>) instead of the dense rows; the numbers are the same up to float rounding.
/// </summary>
internal static class KHotInputs
{
    /// <summary>Rows need at least this many values per one for the gather to pay off (k·4 ≤ width).</summary>
    public const long MinWidthPerOne = 4;

    /// <summary>
    /// The columns [n, k] (int64, ascending within each row) of k-hot rows [n, width], or null when the rows are not
    /// k-hot with the same k, or too dense for the gather to pay off.
    /// </summary>
    public static torch.Tensor? Columns(torch.Tensor inputs)
    {
        if (inputs.dim() != 2 || !inputs.is_floating_point() || inputs.shape[0] == 0) return null;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        long n = inputs.shape[0], width = inputs.shape[1];
        var ones = inputs.eq(1.0);
        if (!ones.logical_or(inputs.eq(0.0)).all().item<bool>()) return null;
        var counts = ones.sum(1);
        long k = counts.min().item<long>();
        if (k < 1 || k * MinWidthPerOne > width || counts.max().item<long>() != k) return null;
        // nonzero() lists positions in row-major order: each row's columns, ascending.
        return ones.nonzero().select(1, 1).reshape(n, k).contiguous().MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A batch of k-hot rows for C chains, as rows of the first layer's transposed matrix stacked over the chains
/// ([C·width, out]): <paramref name="Rows"/>[j, c·R + r] = c·width + (column of row r's j-th one).
/// </summary>
/// <param name="Rows">[k, C·R] int64, contiguous.</param>
/// <param name="Chains">C.</param>
/// <param name="Count">R, rows per chain.</param>
/// <param name="Width">The width of the dense rows (the layer's input width).</param>
internal sealed record KHotBatch(torch.Tensor Rows, long Chains, long Count, long Width)
{
    /// <summary>The batch of C chains whose rows have the columns <paramref name="columns"/> ([C·R, k], chain-major).</summary>
    /// <param name="columns">Each row's columns.</param>
    /// <param name="chains">C.</param>
    /// <param name="width">The dense rows' width.</param>
    /// <param name="chainOffsets">[C·R] int64: c·width for each row of chain c.</param>
    public static KHotBatch From(torch.Tensor columns, long chains, long width, torch.Tensor chainOffsets) =>
        new(columns.t().add(chainOffsets, Potentials.Scalars.IntegerOne).contiguous(), chains, columns.shape[0] / chains, width);

    /// <summary>[C·R] int64 offsets c·width for R rows per chain.</summary>
    public static torch.Tensor ChainOffsets(long chains, long count, long width) =>
        torch.arange(chains, dtype: torch.ScalarType.Int64).mul_(width).repeat_interleave(count);
}
