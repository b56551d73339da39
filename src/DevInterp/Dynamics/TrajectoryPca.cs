using DevInterp.Numerics;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Dynamics;

/// <summary>
/// PCA of a training trajectory (essential dynamics): rows are checkpoints (T), columns the flattened model outputs on
/// the probe batch (F = samples·outputs). The columns are centered over steps; because T ≪ F in practice the
/// decomposition uses the T × T Gram matrix G = XcXcᵀ = U·Λ·Uᵀ: scores are U·Λ^½ (T × k), explained variances
/// λᵢ/(T − 1), loadings Λ^(−½)·Uᵀ·Xc (k × F). Cost T²·F, memory T² + k·F beyond the input.
/// </summary>
public static class TrajectoryPca
{
    /// <summary>Fits the PCA to <paramref name="outputs"/> (T × F, T ≥ 2).</summary>
    public static TrajectoryPcaResult Fit(Matrix<double> outputs, TrajectoryPcaOptions? options = null)
    {
        options ??= new TrajectoryPcaOptions();
        if (outputs is null) throw new ArgumentNullException(nameof(outputs), "outputs: expected a steps × outputs matrix, got null");
        if (options.Components < 1)
            throw new ArgumentException($"TrajectoryPcaOptions.Components: expected at least 1, got {options.Components}", nameof(options));
        if (outputs.RowCount < 2)
            throw new ArgumentException($"outputs: PCA over training needs at least 2 checkpoints (rows), got {outputs.RowCount}", nameof(outputs));
        for (int i = 0; i < outputs.RowCount; i++)
            for (int j = 0; j < outputs.ColumnCount; j++)
                if (!double.IsFinite(outputs[i, j]))
                    throw new ArgumentException($"outputs: entry (checkpoint {i}, output {j}) is {outputs[i, j]}; expected finite values", nameof(outputs));

        using var scope = torch.NewDisposeScope();
        var x = TorchMatrix.ToTensor(outputs);
        var mean = x.mean([0], keepdim: true);
        var xc = x - mean;
        var (lambda, u) = torch.linalg.eigh(xc.matmul(xc.t())); // ascending
        lambda = lambda.flip(0).clamp_min(0.0);
        u = u.flip(1);
        int t = outputs.RowCount;
        double total = lambda.sum().item<double>();
        if (!(total > 0))
            throw new ArgumentException("outputs: every checkpoint has the same outputs, so the trajectory has no variance", nameof(outputs));
        var lambdas = TorchMatrix.ToArray(lambda);
        // Components with (numerically) zero variance have no direction; keep at most the nonzero ones.
        int k = Math.Min(options.Components, lambdas.Count(l => l > 1e-12 * lambdas[0]));
        var uk = u.narrow(1, 0, k);
        var root = lambda.narrow(0, 0, k).sqrt();
        var scores = uk * root.unsqueeze(0);
        // Sign convention (as scikit-learn's svd_flip): the largest-magnitude score of each component is positive.
        var pivot = scores.abs().argmax(0);
        var signs = scores.gather(0, pivot.unsqueeze(0)).sign();
        signs = torch.where(signs == 0, torch.ones_like(signs), signs);
        scores = scores * signs;
        var loadings = (uk * signs / root.unsqueeze(0)).t().matmul(xc);

        return new TrajectoryPcaResult(
            lambdas.Take(k).Select(l => l / (t - 1)).ToArray(),
            lambdas.Take(k).Select(l => l / total).ToArray(),
            total / (t - 1),
            TorchMatrix.ToReadOnly(scores),
            TorchMatrix.ToReadOnly(loadings),
            TorchMatrix.ToArray(mean));
    }
}
