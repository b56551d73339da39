using System.Text.RegularExpressions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// The loss of any TorchSharp module, one chain at a time: each chain's weights are copied into the module, a forward
/// and backward pass runs, and the gradients are copied out. Slower than <see cref="BatchedPotential"/> for small models,
/// but works for every module. The module must hold the checkpoint's weights (w*) when the potential is created; they
/// are restored on disposal.
/// </summary>
public sealed class ModulePotential : IChainPotential
{
    private readonly Module<torch.Tensor, torch.Tensor> _module;
    private readonly SupervisedData _data;
    private readonly IChainLoss _loss;
    private readonly Parameter[] _sampled;
    private readonly torch.Tensor[] _original;

    /// <summary>Creates the potential over the module's current weights.</summary>
    public ModulePotential(Module<torch.Tensor, torch.Tensor> module, SupervisedData data, IChainLoss loss,
        string? parameterPattern = null)
    {
        data.Validate();
        Native.NativeHeap.Configure(); // tensors freed every step are reused, not page-faulted in again
        _module = module;
        _loss = loss;
        var regex = parameterPattern is null ? null : new Regex(parameterPattern);
        var all = module.named_parameters().ToList();
        var chosen = all.Where(p => regex is null || regex.IsMatch(p.name)).ToList();
        if (chosen.Count == 0)
            throw new ArgumentException($"parameter pattern '{parameterPattern}' matches no parameter (have: {string.Join(", ", all.Select(p => p.name))})");
        var dtype = chosen[0].parameter.dtype;
        var sampled = new List<SampledParameter>();
        long offset = 0;
        foreach (var (name, p) in chosen)
        {
            sampled.Add(new SampledParameter(name, p.shape, offset));
            offset += p.numel();
        }
        Parameters = sampled;
        Dimension = offset;
        _sampled = chosen.Select(p => p.parameter).ToArray();
        _original = _sampled.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
        Center = torch.cat(_original.Select(t => t.flatten()).ToArray()).DetachFromDisposeScope();
        // Unsampled parameters stay fixed: they need no gradient.
        foreach (var (_, p) in all) p.requires_grad = regex is null || chosen.Any(c => ReferenceEquals(c.parameter, p));
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
        long chains = weights.shape[0];
        var losses = new double[chains];
        for (long c = 0; c < chains; c++)
        {
            using var scope = torch.NewDisposeScope();
            var row = weights[c];
            using (torch.no_grad())
            {
                for (int i = 0; i < _sampled.Length; i++)
                    _sampled[i].copy_(row.narrow(0, Parameters[i].Offset, Parameters[i].Count).view(Parameters[i].Shape));
            }
            var (x, y) = _data.Batch(batchIndices?[c].unsqueeze(0), 1);
            using var mode = gradient is null ? torch.no_grad() : torch.enable_grad();
            if (gradient is not null) _module.zero_grad();
            var prediction = _module.call(x[0]).unsqueeze(0);
            var loss = _loss.Compute(prediction, y);
            if (gradient is not null)
            {
                loss.sum().backward();
                var gradRow = gradient[c];
                for (int i = 0; i < _sampled.Length; i++)
                {
                    var g = _sampled[i].grad;
                    var target = gradRow.narrow(0, Parameters[i].Offset, Parameters[i].Count);
                    if (g is null) target.zero_();
                    else target.copy_(g.flatten());
                }
            }
            losses[c] = loss.to_type(torch.ScalarType.Float64).item<double>();
        }
        return torch.tensor(losses, dtype: weights.dtype);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        using (torch.no_grad())
        {
            for (int i = 0; i < _sampled.Length; i++) _sampled[i].copy_(_original[i]);
        }
        foreach (var t in _original) t.Dispose();
        Center.Dispose();
        _data.Inputs.Dispose();
        _data.Targets.Dispose();
    }
}
