using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>
/// Minibatch linear CKA (Nguyen, Raghu and Kornblith 2021): accumulates the unbiased HSIC₁ estimator over minibatches
/// (each minibatch a pair of samples × features matrices for the same samples) and reports
/// Σ HSIC₁(X_b, Y_b) / √(Σ HSIC₁(X_b, X_b)·Σ HSIC₁(Y_b, Y_b)). Because every term is unbiased, the estimate does not
/// drift with the batch size the way averaging biased CKA would; with equal-sized batches it converges to the same
/// population CKA as full-data (debiased) CKA. A single batch gives exactly <see cref="DebiasedCka"/>.
/// Not thread-safe.
/// </summary>
public sealed class MinibatchCka
{
    private double _xy, _xx, _yy;
    private int _batches, _featuresX = -1, _featuresY = -1;
    private long _samples;

    /// <summary>Adds one minibatch: <paramref name="x"/> and <paramref name="y"/> with the same ≥ 4 rows (samples).</summary>
    public void Add(Matrix<double> x, Matrix<double> y)
    {
        RepresentationInput.ValidatePair(x, y, 4, "minibatch CKA");
        if (_batches > 0 && (x.ColumnCount != _featuresX || y.ColumnCount != _featuresY))
            throw new ArgumentException(
                $"x, y: batch {_batches} has {x.ColumnCount} and {y.ColumnCount} features but earlier batches had {_featuresX} and {_featuresY}", nameof(x));
        using var scope = torch.NewDisposeScope();
        var fx = Centering.GramFactor(RepresentationInput.CenteredTensor(x));
        var fy = Centering.GramFactor(RepresentationInput.CenteredTensor(y));
        var r = LinearHsic.RowSquaredNorms(fx);
        var q = LinearHsic.RowSquaredNorms(fy);
        double sr = r.sum().item<double>(), sq = q.sum().item<double>();
        long n = x.RowCount;
        _xy += LinearHsic.Unbiased(LinearHsic.GramInnerProduct(fx, fy), r.dot(q).item<double>(), sr, sq, n);
        _xx += LinearHsic.Unbiased(LinearHsic.GramInnerProduct(fx, fx), r.dot(r).item<double>(), sr, sr, n);
        _yy += LinearHsic.Unbiased(LinearHsic.GramInnerProduct(fy, fy), q.dot(q).item<double>(), sq, sq, n);
        _featuresX = x.ColumnCount;
        _featuresY = y.ColumnCount;
        _batches++;
        _samples += n;
    }

    /// <summary>The CKA estimate over the minibatches so far.</summary>
    /// <exception cref="InvalidOperationException">No minibatch was added, or a representation had no variance.</exception>
    public MinibatchCkaResult Result()
    {
        if (_batches == 0) throw new InvalidOperationException("minibatch CKA: no minibatch was added");
        if (!(_xx > 0) || !(_yy > 0))
            throw new InvalidOperationException($"minibatch CKA: {(_xx > 0 ? "y" : "x")} has no variance the unbiased estimator can see, so CKA is undefined");
        return new MinibatchCkaResult(_xy / Math.Sqrt(_xx * _yy), _batches, _samples);
    }
}
