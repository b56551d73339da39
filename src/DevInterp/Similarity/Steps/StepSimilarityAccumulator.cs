using DevInterp.Numerics;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Similarity.Steps;

/// <summary>
/// Builds the step × step linear CKA (and debiased linear CKA) matrix from checkpoints supplied one at a time.
/// <see cref="Add(long, Matrix{double})"/> keeps only per-checkpoint statistics: the column-centered features, reduced to
/// a factor F with F·Fᵀ = K (at most n columns, via QR when d &gt; n), and their row norms; <see cref="Result"/> then
/// computes every ⟨K_t, K_s⟩ by the cheaper route (<see cref="StepSimilarityRoute"/>), never forming a pair's Gram
/// matrices twice. Memory: T·n·min(n, d) doubles (managed arrays). Result() recomputes from the stored statistics on
/// each call, so checkpoints can still be added afterwards. Not thread-safe (Result itself runs in parallel).
/// </summary>
public sealed class StepSimilarityAccumulator(StepSimilarityOptions? options = null)
{
    private readonly StepSimilarityOptions _options = Validated(options ?? new StepSimilarityOptions());
    private readonly List<CheckpointFactor> _entries = [];
    private int _samples = -1, _features = -1;

    /// <summary>The options in use.</summary>
    public StepSimilarityOptions Options => _options;

    /// <summary>Checkpoints added so far.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds the checkpoint at <paramref name="step"/>: its samples × features matrix on the probe batch.</summary>
    /// <exception cref="ArgumentException">Duplicate step, shape different from earlier checkpoints, non-finite
    /// values, or features without variance.</exception>
    public void Add(long step, Matrix<double> features)
    {
        if (features is null) throw new ArgumentNullException(nameof(features), $"features: step {step}: expected a samples × features matrix, got null");
        CheckShape(step, features.RowCount, features.ColumnCount);
        AddOwned(step, features.ToRowMajorArray(), features.RowCount, features.ColumnCount);
    }

    /// <summary>
    /// Adds the checkpoint at <paramref name="step"/> from a 2-D floating-point tensor (samples × features, e.g.
    /// captured activations); its values are copied as float64, the caller keeps ownership.
    /// </summary>
    public void Add(long step, torch.Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2)
            throw new ArgumentException($"features: step {step}: expected a 2-D samples × features tensor, got shape [{string.Join(", ", features.shape)}]", nameof(features));
        if (!features.is_floating_point())
            throw new ArgumentException($"features: step {step}: expected a floating-point tensor, got {features.dtype}", nameof(features));
        int n = (int)features.shape[0], d = (int)features.shape[1];
        CheckShape(step, n, d);
        if (features.dtype == torch.float64 && features.is_contiguous() && features.device_type == DeviceType.CPU)
        {
            AddOwned(step, CheckpointFactor.ToArray(features), n, d); // one copy, straight from the caller's memory
            return;
        }
        using var scope = torch.NewDisposeScope();
        var values = features.cpu().to_type(torch.float64).contiguous();
        AddOwned(step, CheckpointFactor.ToArray(values), n, d);
    }

    private void CheckShape(long step, int n, int d)
    {
        if (n < 2 || d < 1)
            throw new ArgumentException($"features: step {step}: expected at least 2 samples and 1 feature, got {n}×{d}", "features");
        if (_entries.Count > 0 && (n != _samples || d != _features))
            throw new ArgumentException(
                $"features: step {step}: shape {n}×{d} differs from the {_samples}×{_features} of step {_entries[0].Step}; every checkpoint must use the same probe batch and layer", "features");
        if (_entries.Any(e => e.Step == step))
            throw new ArgumentException($"step: {step} was already added", nameof(step));
    }

    private void AddOwned(long step, double[] rowMajor, int n, int d)
    {
        _entries.Add(CheckpointFactor.Create(step, rowMajor, n, d));
        _samples = n;
        _features = d;
    }

    /// <summary>The linear and debiased CKA matrices over all checkpoints added so far, in ascending step order.</summary>
    /// <exception cref="InvalidOperationException">No checkpoint was added.</exception>
    public StepSimilarityResult Result()
    {
        if (_entries.Count == 0) throw new InvalidOperationException("step similarity: no checkpoint was added");
        var entries = _entries.OrderBy(e => e.Step).ToList();
        int t = entries.Count;
        long n = _samples, d = entries[0].Columns;
        int parallelism = _options.MaxDegreeOfParallelism > 0 ? _options.MaxDegreeOfParallelism : Environment.ProcessorCount;
        var route = _options.Route == StepSimilarityRoute.Auto ? StepRouteCost.Choose(t, n, d, _options) : _options.Route;
        var p = route == StepSimilarityRoute.Gram
            ? GramRoute.InnerProducts(entries, _options.GramBlockSize, parallelism)
            : FeatureRoute.InnerProducts(entries, _options.FeatureTileColumns, parallelism);

        var steps = entries.Select(e => e.Step).ToArray();
        var linear = new double[t * t];
        for (int i = 0; i < t; i++)
            for (int j = 0; j < t; j++)
                linear[i * t + j] = p[i, j] / Math.Sqrt(p[i, i] * p[j, j]);
        var linearMatrix = new StepSimilarityMatrix("linear_cka", steps, new ReadOnlyMatrix(t, t, linear));
        return new StepSimilarityResult(linearMatrix, n >= 4 ? Debiased(entries, p, steps) : null, route, _samples, _features);
    }

    private StepSimilarityMatrix Debiased(List<CheckpointFactor> entries, double[,] p, long[] steps)
    {
        int t = entries.Count;
        var h = new double[t, t];
        for (int i = 0; i < t; i++)
            for (int j = i; j < t; j++)
            {
                double rowDot = 0;
                double[] r = entries[i].RowNorms, q = entries[j].RowNorms;
                for (int k = 0; k < r.Length; k++) rowDot += r[k] * q[k];
                h[i, j] = h[j, i] = LinearHsic.Unbiased(p[i, j], rowDot, entries[i].Trace, entries[j].Trace, _samples);
            }
        var values = new double[t * t];
        for (int i = 0; i < t; i++)
            for (int j = 0; j < t; j++)
                values[i * t + j] = h[i, i] > 0 && h[j, j] > 0 ? h[i, j] / Math.Sqrt(h[i, i] * h[j, j]) : double.NaN;
        return new StepSimilarityMatrix("debiased_cka", steps, new ReadOnlyMatrix(t, t, values));
    }

    private static StepSimilarityOptions Validated(StepSimilarityOptions o)
    {
        if (!Enum.IsDefined(o.Route)) throw new ArgumentException($"StepSimilarityOptions.Route: unknown value {o.Route}", "options");
        if (o.GramBlockSize < 1) throw new ArgumentException($"StepSimilarityOptions.GramBlockSize: expected at least 1, got {o.GramBlockSize}", "options");
        if (o.FeatureTileColumns < 1) throw new ArgumentException($"StepSimilarityOptions.FeatureTileColumns: expected at least 1, got {o.FeatureTileColumns}", "options");
        if (o.MaxDegreeOfParallelism == 0 || o.MaxDegreeOfParallelism < -1)
            throw new ArgumentException($"StepSimilarityOptions.MaxDegreeOfParallelism: expected -1 (all cores) or a positive count, got {o.MaxDegreeOfParallelism}", "options");
        return o;
    }
}
