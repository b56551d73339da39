using System.Text.RegularExpressions;
using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>The loss of an <see cref="IChainModel"/> on a training set, for all chains in one batched computation.</summary>
public sealed class BatchedPotential : IChainPotential
{
    private readonly IChainModel _model;
    private readonly SupervisedData _data;
    private readonly IChainLoss _loss;
    private readonly torch.Tensor[] _centers; // w* of every parameter, sampled or not
    private readonly int[] _sampledIndex;      // parameter index → position in Parameters, or −1 when held at w*

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
        _data = data.ConvertTo(dtype);
    }

    /// <inheritdoc />
    public IReadOnlyList<SampledParameter> Parameters { get; }

    /// <inheritdoc />
    public long Dimension { get; }

    /// <inheritdoc />
    public long SampleCount => _data.Count;

    /// <inheritdoc />
    public torch.Tensor Center { get; }

    /// <inheritdoc />
    public torch.Tensor Loss(torch.Tensor weights, torch.Tensor? batchIndices, torch.Tensor? gradient)
    {
        using var scope = torch.NewDisposeScope();
        long chains = weights.shape[0];
        using var grad = gradient is null ? torch.no_grad() : torch.enable_grad();
        // One leaf per sampled parameter (a view of the weights, detached): autograd then produces each parameter's
        // gradient at its own size. Views of a single flat leaf would make every parameter's backward allocate and
        // add a full [C, D] tensor.
        var parameters = new torch.Tensor[_centers.Length];
        var leaves = new torch.Tensor?[_centers.Length];
        for (int i = 0; i < _centers.Length; i++)
        {
            int s = _sampledIndex[i];
            if (s >= 0)
            {
                var view = weights.narrow(1, Parameters[s].Offset, Parameters[s].Count).view([chains, .. Parameters[s].Shape]);
                parameters[i] = gradient is null ? view : (leaves[i] = view.detach().requires_grad_(true));
            }
            else
            {
                parameters[i] = _centers[i].unsqueeze(0).expand([chains, .. _centers[i].shape]);
            }
        }
        var (x, y) = _data.Batch(batchIndices, chains);
        var losses = _loss.Compute(_model.Forward(parameters, x), y);
        if (gradient is not null)
        {
            losses.sum().backward();
            for (int i = 0; i < _centers.Length; i++)
            {
                if (leaves[i] is not { } leaf) continue;
                var target = gradient.narrow(1, Parameters[_sampledIndex[i]].Offset, Parameters[_sampledIndex[i]].Count);
                if (leaf.grad is { } g) target.copy_(g.view([chains, -1]));
                else target.zero_();
            }
        }
        return losses.detach().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var c in _centers) c.Dispose();
        Center.Dispose();
        _data.Inputs.Dispose();
        _data.Targets.Dispose();
    }
}
