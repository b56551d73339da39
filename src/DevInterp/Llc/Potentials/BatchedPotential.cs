using System.Text.RegularExpressions;
using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// The loss of an <see cref="IChainModel"/> on a training set, for all chains in one batched computation. Gradients
/// come from the model's hand-written backward pass when the model is an <see cref="IAnalyticChainModel"/> and the
/// loss an <see cref="IAnalyticChainLoss"/> (<see cref="AnalyticGradients"/>), else from autograd.
/// </summary>
/// <remarks>
/// The per-parameter views of a weight or gradient tensor are made once and reused while the same tensor object is
/// passed again (the estimator passes the same buffers every step); a tensor resized or re-pointed in place
/// (<c>resize_</c>, <c>set_</c>) between calls is not supported.
/// </remarks>
public sealed class BatchedPotential : IChainPotential, ICenterLossLookup
{
    private const int CachedViewSets = 4;

    private readonly IChainModel _model;
    private readonly BatchData _inputs;
    private readonly BatchData _targets;
    private readonly IChainLoss _loss;
    private readonly torch.Tensor[] _centers; // w* of every parameter, sampled or not
    private readonly int[] _sampledIndex;      // parameter index → position in Parameters, or −1 when held at w*
    private readonly bool[] _wanted;            // parameter index → sampled (its gradient is needed)
    private readonly List<ViewSet> _weightViews = [];
    private readonly List<ViewSet> _gradientViews = [];
    private torch.Tensor? _centerSampleLosses; // [n], each training sample's loss at w*, made on first use
    // k-hot inputs (one-hot tokens): the linear stack gathers rows instead of multiplying (see KHotInputs).
    private readonly Models.LinearStackChainModel? _kHotModel;
    private readonly torch.Tensor? _kHotColumns; // [n, k]
    private readonly long _kHotWidth;
    private readonly Dictionary<long, Models.KHotBatch> _fullKHot = [];          // by chain count
    private readonly Dictionary<(long, long), torch.Tensor> _chainOffsets = []; // by (chains, batch)
    // The one-hidden-layer MLP with cross-entropy on k-hot inputs: the whole loss and gradient in one managed kernel.
    private readonly Models.KHotMlpCrossEntropy? _fused;

    /// <summary>Creates the potential.</summary>
    /// <param name="model">The batched model.</param>
    /// <param name="center">w*: a value for every parameter of the model, by name (per-chain shape, no chain dimension).</param>
    /// <param name="data">The training set the loss is measured on.</param>
    /// <param name="loss">The per-sample loss.</param>
    /// <param name="parameterPattern">Regex selecting the sampled parameters; null for all.</param>
    /// <param name="dtype">Computation dtype (float32 or float64).</param>
    public BatchedPotential(IChainModel model, IReadOnlyDictionary<string, torch.Tensor> center, SupervisedData data,
        IChainLoss loss, string? parameterPattern = null, torch.ScalarType dtype = torch.ScalarType.Float32)
    {
        data.Validate();
        Native.NativeHeap.Configure(); // tensors freed every step are reused, not page-faulted in again
        _model = model;
        _loss = loss;
        var regex = parameterPattern is null ? null : new Regex(parameterPattern);
        var shapes = model.ParameterShapes;
        _centers = new torch.Tensor[shapes.Count];
        _sampledIndex = new int[shapes.Count];
        var sampled = new List<SampledParameter>();
        long offset = 0;
        for (int i = 0; i < shapes.Count; i++)
        {
            var (name, shape) = shapes[i];
            if (!center.TryGetValue(name, out var value))
                throw new ArgumentException($"no value for parameter '{name}' at the checkpoint");
            if (!value.shape.SequenceEqual(shape))
                throw new ArgumentException($"parameter '{name}' has shape [{string.Join(", ", value.shape)}], the model expects [{string.Join(", ", shape)}]");
            _centers[i] = value.detach().to_type(dtype).contiguous().clone().DetachFromDisposeScope();
            if (regex is null || regex.IsMatch(name))
            {
                _sampledIndex[i] = sampled.Count;
                sampled.Add(new SampledParameter(name, shape, offset));
                offset += sampled[^1].Count;
            }
            else
            {
                _sampledIndex[i] = -1;
            }
        }
        if (sampled.Count == 0) throw new ArgumentException($"parameter pattern '{parameterPattern}' matches no parameter (have: {string.Join(", ", shapes.Select(s => s.Name))})");
        Parameters = sampled;
        Dimension = offset;
        var names = shapes.Select(s => s.Name).ToList();
        Center = torch.cat(sampled.Select(p => _centers[names.IndexOf(p.Name)].flatten()).ToArray()).DetachFromDisposeScope();
        var own = data.ConvertTo(dtype);
        SampleCount = own.Count;
        if (model is Models.LinearStackChainModel stack && Models.KHotInputs.Columns(own.Inputs) is { } columns)
        {
            _kHotModel = stack;
            _kHotColumns = columns.DetachFromDisposeScope();
            _kHotWidth = own.Inputs.shape[1];
            _fused = Models.KHotMlpCrossEntropy.TryCreate(stack, sampled, loss, columns, _kHotWidth, own.Targets, dtype);
        }
        _inputs = new BatchData(own.Inputs);
        _targets = new BatchData(own.Targets);
        _wanted = _sampledIndex.Select(i => i >= 0).ToArray();
        AnalyticGradients = model is IAnalyticChainModel && loss is IAnalyticChainLoss;
    }

    /// <summary>
    /// True when the inputs are k-hot (every row k ones, the rest zeros: one-hot tokens) and the model's first layer
    /// gathers their columns instead of multiplying by them.
    /// </summary>
    public bool KHotInputs => _kHotColumns is not null;

    /// <summary>
    /// True when the loss and gradient come from the fused managed kernel of a one-hidden-layer MLP with cross-entropy
    /// on k-hot inputs (<see cref="Models.KHotMlpKernel"/>); setting it false (tests) uses the torch operations.
    /// </summary>
    public bool FusedKernel
    {
        get => _fused is not null && _useFused;
        internal set => _useFused = value;
    }

    private bool _useFused = true;

    /// <summary>
    /// True when gradients come from the model's and loss's hand-written derivatives (the built-in MLP, DLN, TMS and
    /// linear models with the built-in losses); false when autograd computes them (any other model or loss).
    /// </summary>
    public bool AnalyticGradients { get; }

    /// <inheritdoc />
    public IReadOnlyList<SampledParameter> Parameters { get; }

    /// <inheritdoc />
    public long Dimension { get; }

    /// <inheritdoc />
    public long SampleCount { get; }

    /// <inheritdoc />
    public torch.Tensor Center { get; }

    /// <inheritdoc />
    public torch.Tensor Loss(torch.Tensor weights, torch.Tensor? batchIndices, torch.Tensor? gradient)
    {
        if (FusedKernel && weights.dim() == 2 && weights.stride(1) == 1 && (gradient is null || gradient.stride(1) == 1))
            return _fused!.Loss(weights, batchIndices, gradient);
        using var scope = torch.NewDisposeScope();
        long chains = weights.shape[0];
        var parameters = Views(_weightViews, weights, chains, forWeights: true);
        bool analytic = gradient is null || AnalyticGradients;
        bool hot = analytic && _kHotModel is not null;
        var (x, y) = hot ? (null, Targets(batchIndices, chains)) : Batch(batchIndices, chains);
        if (analytic)
        {
            using var noGrad = torch.no_grad();
            torch.Tensor losses;
            if (gradient is null)
            {
                losses = _loss.Compute(hot ? _kHotModel!.Forward(parameters, KHot(batchIndices, chains)) : _model.Forward(parameters, x!), y);
            }
            else
            {
                var pass = hot ? _kHotModel!.ForwardForBackward(parameters, KHot(batchIndices, chains))
                    : ((IAnalyticChainModel)_model).ForwardForBackward(parameters, x!);
                var (value, outputGradient) = ((IAnalyticChainLoss)_loss).ComputeWithGradient(pass.Outputs, y);
                Store(gradient, chains, pass.Backward(outputGradient, _wanted));
                losses = value;
            }
            return losses.MoveToOuterDisposeScope();
        }
        return AutogradLoss(parameters, x!, y, gradient!, chains);
    }

    // The k-hot rows of a batch ([C, B] indices, or null for all rows): the full batch's are made once per chain count.
    private Models.KHotBatch KHot(torch.Tensor? indices, long chains)
    {
        if (indices is null)
        {
            if (!_fullKHot.TryGetValue(chains, out var full))
            {
                using var scope = torch.NewDisposeScope();
                full = Models.KHotBatch.From(_kHotColumns!.repeat(chains, 1), chains, _kHotWidth, Offsets(chains, SampleCount));
                full.Rows.DetachFromDisposeScope();
                _fullKHot[chains] = full;
            }
            return full;
        }
        return Models.KHotBatch.From(_kHotColumns!.index_select(0, indices.flatten()), chains, _kHotWidth, Offsets(chains, indices.shape[1]));
    }

    private torch.Tensor Offsets(long chains, long count)
    {
        if (!_chainOffsets.TryGetValue((chains, count), out var offsets))
        {
            offsets = Models.KHotBatch.ChainOffsets(chains, count, _kHotWidth).DetachFromDisposeScope();
            _chainOffsets[(chains, count)] = offsets;
        }
        return offsets;
    }

    private torch.Tensor AutogradLoss(torch.Tensor[] views, torch.Tensor x, torch.Tensor y, torch.Tensor gradient, long chains)
    {
        using var grad = torch.enable_grad();
        // One leaf per sampled parameter (a view of the weights, detached): autograd then produces each parameter's
        // gradient at its own size. Views of a single flat leaf would make every parameter's backward allocate and
        // add a full [C, D] tensor.
        var parameters = new torch.Tensor[views.Length];
        for (int i = 0; i < views.Length; i++)
            parameters[i] = _wanted[i] ? views[i].detach().requires_grad_(true) : views[i];
        var losses = _loss.Compute(_model.Forward(parameters, x), y);
        losses.sum().backward();
        Store(gradient, chains, parameters.Select((p, i) => _wanted[i] ? p.grad : null).ToArray());
        return losses.detach().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    /// <remarks>
    /// The per-sample losses at w* are computed once, on first use, in chunks of the training set: each chunk's outputs
    /// [1, m, ...] are regrouped as m "chains" of one sample, so the loss's mean over a batch of one is the sample's own
    /// loss (the <see cref="IChainLoss"/> contract: a per-sample loss averaged over the batch).
    /// </remarks>
    public torch.Tensor CenterLoss(torch.Tensor batchIndices)
    {
        _centerSampleLosses ??= SampleLossesAtCenter();
        using var scope = torch.NewDisposeScope();
        if (batchIndices.dim() != 2)
            throw new ArgumentException($"batch indices: expected [chains, batch], got [{string.Join(", ", batchIndices.shape)}]", nameof(batchIndices));
        return _centerSampleLosses.take(batchIndices).mean([1]).MoveToOuterDisposeScope();
    }

    private torch.Tensor SampleLossesAtCenter(long chunk = 4096)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var parameters = MakeViews(Center.unsqueeze(0), 1, forWeights: true);
        var parts = new List<torch.Tensor>();
        for (long start = 0; start < SampleCount; start += chunk)
        {
            long m = Math.Min(chunk, SampleCount - start);
            var indices = torch.arange(start, start + m, dtype: torch.ScalarType.Int64).unsqueeze(0);
            var (x, y) = Batch(indices, 1);
            var outputs = _model.Forward(parameters, x);
            parts.Add(_loss.Compute(outputs.transpose(0, 1), y.transpose(0, 1)));
        }
        return torch.cat(parts).DetachFromDisposeScope();
    }

    // Rows of inputs and targets for [C, B] indices, shaped [C, B, ...]; all rows (expanded to C chains) for null.
    private (torch.Tensor Inputs, torch.Tensor Targets) Batch(torch.Tensor? indices, long chains)
    {
        if (indices is null) return (_inputs.All(chains), _targets.All(chains));
        var shape = indices.shape;
        var flat = indices.flatten();
        return (_inputs.Gather(flat, shape[0], shape[1]), _targets.Gather(flat, shape[0], shape[1]));
    }

    // The targets alone.
    private torch.Tensor Targets(torch.Tensor? indices, long chains) =>
        indices is null ? _targets.All(chains) : _targets.Gather(indices.flatten(), indices.shape[0], indices.shape[1]);

    /// <summary>
    /// A training-set tensor [n, ...]; narrow float vectors [n, F] are stored transposed, [F, n], and gathered
    /// feature-major (see <see cref="Models.ChainLayout"/>), everything else as given.
    /// </summary>
    private sealed class BatchData : IDisposable
    {
        private readonly torch.Tensor _values;
        private readonly long[] _shape; // of the values as stored
        private readonly bool _byFeature;

        public BatchData(torch.Tensor values)
        {
            _byFeature = values.dim() == 2 && values.is_floating_point() && Models.ChainLayout.FeatureMajor(values.shape[1]);
            if (_byFeature)
            {
                _values = values.t().contiguous().DetachFromDisposeScope();
                values.Dispose();
            }
            else
            {
                _values = values;
            }
            _shape = _values.shape;
        }

        // Every row, for C chains (an expanded view).
        public torch.Tensor All(long chains) => _byFeature
            ? _values.unsqueeze(0).expand(chains, _shape[0], _shape[1]).transpose(1, 2) // [C, n, F]
            : _values.unsqueeze(0).expand([chains, .. _shape]);

        // Rows flat ([C·B] indices) as [C, B, ...].
        public torch.Tensor Gather(torch.Tensor flat, long chains, long batch) => _byFeature
            ? _values.index_select(1, flat).as_strided([chains, batch, _shape[0]], [batch, 1, chains * batch]) // [C, B, F] of [F, C·B]
            : _values.index_select(0, flat).view([chains, batch, .. _shape[1..]]);

        public void Dispose() => _values.Dispose();
    }

    // Writes each sampled parameter's gradient into its place in the flat [C, D] gradient (zero when it has none).
    private void Store(torch.Tensor gradient, long chains, torch.Tensor?[] gradients)
    {
        var targets = Views(_gradientViews, gradient, chains, forWeights: false);
        for (int i = 0; i < targets.Length; i++)
        {
            if (!_wanted[i]) continue;
            if (gradients[i] is { } g) targets[i].copy_(g);
            else targets[i].zero_();
        }
    }

    // The per-parameter views [C, ...shape] of a flat [C, D] tensor, made once per tensor object. For weights, the
    // parameters held at w* are expanded views of w*; for gradients they are absent (null).
    private torch.Tensor[] Views(List<ViewSet> cache, torch.Tensor flat, long chains, bool forWeights)
    {
        foreach (var set in cache)
        {
            if (ReferenceEquals(set.Source, flat) && !flat.IsInvalid && set.Chains == chains) return set.Views;
        }
        if (flat.dim() != 2 || flat.shape[1] != Dimension)
            throw new ArgumentException($"{(forWeights ? "weights" : "gradient")}: expected [chains, {Dimension}], got [{string.Join(", ", flat.shape)}]");
        // Views of tensors disposed since keep their memory alive: let it go.
        foreach (var stale in cache.Where(set => set.Source.IsInvalid)) stale.Dispose();
        cache.RemoveAll(set => set.Source.IsInvalid);
        var views = MakeViews(flat, chains, forWeights);
        foreach (var v in views) v?.DetachFromDisposeScope();
        if (cache.Count == CachedViewSets)
        {
            cache[0].Dispose();
            cache.RemoveAt(0);
        }
        cache.Add(new ViewSet(flat, chains, views));
        return views;
    }

    private torch.Tensor[] MakeViews(torch.Tensor flat, long chains, bool forWeights)
    {
        var views = new torch.Tensor[_centers.Length];
        for (int i = 0; i < _centers.Length; i++)
        {
            int s = _sampledIndex[i];
            if (s >= 0)
                views[i] = flat.narrow(1, Parameters[s].Offset, Parameters[s].Count).view([chains, .. Parameters[s].Shape]);
            else if (forWeights)
                views[i] = _centers[i].unsqueeze(0).expand([chains, .. _centers[i].shape]);
        }
        return views;
    }

    // A class, not a record: sets are told apart by reference (a record would compare the tensors' values).
    private sealed class ViewSet(torch.Tensor source, long chains, torch.Tensor[] views) : IDisposable
    {
        public torch.Tensor Source { get; } = source;

        public long Chains { get; } = chains;

        public torch.Tensor[] Views { get; } = views;

        public void Dispose()
        {
            foreach (var v in Views) v?.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var set in _weightViews.Concat(_gradientViews)) set.Dispose();
        _weightViews.Clear();
        _gradientViews.Clear();
        foreach (var c in _centers) c.Dispose();
        _centerSampleLosses?.Dispose();
        _kHotColumns?.Dispose();
        _fused?.Dispose();
        foreach (var b in _fullKHot.Values) b.Rows.Dispose();
        foreach (var o in _chainOffsets.Values) o.Dispose();
        Center.Dispose();
        _inputs.Dispose();
        _targets.Dispose();
    }
}
