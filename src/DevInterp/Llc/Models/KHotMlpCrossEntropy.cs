using DevInterp.Llc.Potentials;
using DevInterp.Numerics;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>
/// The loss and gradient of <see cref="BatchedPotential"/> for a one-hidden-layer MLP with biases on k-hot inputs and a
/// cross-entropy loss over at most 32 classes, every parameter sampled, float32: the fused <see cref="KHotMlpKernel"/>
/// reading and writing the flat [C, D] weight and gradient rows directly (no per-parameter views, no copies).
/// ReLU and the identity run inside the kernel; tanh and GELU are applied by torch to the kernel's pre-activations.
/// </summary>
internal sealed unsafe class KHotMlpCrossEntropy : IDisposable
{
    private readonly KHotMlpKernel.Layout _layout;
    private readonly StackActivation _activation;
    private readonly torch.Tensor _columns; // [n, k] int64
    private readonly torch.Tensor _targets; // [n] int64
    private readonly long _dimension;

    private KHotMlpCrossEntropy(KHotMlpKernel.Layout layout, StackActivation activation, torch.Tensor columns, torch.Tensor targets, long dimension)
    {
        (_layout, _activation, _columns, _targets, _dimension) = (layout, activation, columns, targets, dimension);
    }

    /// <summary>
    /// The fused path for this model, data and loss, or null when it does not apply (another architecture or loss, a
    /// parameter held at w*, another dtype, more than 32 classes, or a machine without 512-bit vectors).
    /// </summary>
    /// <param name="model">The chain model.</param>
    /// <param name="sampled">The sampled parameters (all of the model's, for the fused path).</param>
    /// <param name="loss">The loss.</param>
    /// <param name="columns">[n, k] hot columns of the inputs.</param>
    /// <param name="inputWidth">Width of the dense inputs.</param>
    /// <param name="targets">[n] targets.</param>
    /// <param name="dtype">Computation dtype.</param>
    public static KHotMlpCrossEntropy? TryCreate(LinearStackChainModel model, IReadOnlyList<SampledParameter> sampled, IChainLoss loss,
        torch.Tensor columns, long inputWidth, torch.Tensor targets, torch.ScalarType dtype)
    {
        if (loss is not (CrossEntropyChainLoss or LastPositionCrossEntropyLoss)) return null;
        if (targets.dim() != 1 || targets.is_floating_point() || columns.shape[0] > int.MaxValue) return null;
        var layers = model.StackLayers;
        var shapes = model.ParameterShapes;
        if (layers.Count != 2 || sampled.Count != shapes.Count) return null;
        var (first, output) = (layers[0], layers[1]);
        if (first.Transposed || output.Transposed || first.Bias < 0 || output.Bias < 0 || output.Activation != StackActivation.Identity) return null;
        long hidden = shapes[first.Weight].Shape[0], classes = shapes[output.Weight].Shape[0];
        if (shapes[first.Weight].Shape[1] != inputWidth || shapes[output.Weight].Shape[1] != hidden) return null;
        if (!KHotMlpKernel.Supports(dtype, hidden, classes) || inputWidth * hidden > int.MaxValue) return null;
        // A target outside the classes is left to the torch path's error.
        using (var scope = torch.NewDisposeScope())
        {
            if (targets.lt(0).any().item<bool>() || targets.ge(classes).any().item<bool>()) return null;
        }
        // Every parameter sampled, in the model's order: parameter i sits at sampled[i].Offset.
        for (int i = 0; i < shapes.Count; i++)
            if (sampled[i].Name != shapes[i].Name) return null;
        var layout = new KHotMlpKernel.Layout(sampled[first.Weight].Offset, sampled[first.Bias].Offset, sampled[output.Weight].Offset,
            sampled[output.Bias].Offset, (int)inputWidth, (int)hidden, (int)classes);
        long dimension = sampled.Sum(p => p.Count);
        return new KHotMlpCrossEntropy(layout, first.Activation, columns.contiguous().clone().DetachFromDisposeScope(),
            targets.to_type(torch.ScalarType.Int64).contiguous().clone().DetachFromDisposeScope(), dimension);
    }

    /// <summary>
    /// The mean loss of each chain on its batch ([C] float32) and, when <paramref name="gradient"/> is given, its
    /// gradient written into it. <paramref name="batchIndices"/> is [C, B] or null for the whole training set.
    /// </summary>
    public torch.Tensor Loss(torch.Tensor weights, torch.Tensor? batchIndices, torch.Tensor? gradient)
    {
        using var scope = torch.NewDisposeScope();
        int chains = (int)weights.shape[0];
        CheckRows(weights, "weights");
        if (gradient is not null)
        {
            CheckRows(gradient, "gradient");
            if (gradient.shape[0] != chains) throw new ArgumentException($"gradient: expected [{chains}, {_dimension}], got [{string.Join(", ", gradient.shape)}]");
        }
        var indices = batchIndices?.to_type(torch.ScalarType.Int64).contiguous();
        if (indices is not null && (indices.dim() != 2 || indices.shape[0] != chains))
            throw new ArgumentException($"batch indices: expected [{chains}, batch], got [{string.Join(", ", indices.shape)}]", nameof(batchIndices));
        int batch = (int)(indices?.shape[1] ?? _targets.shape[0]);
        var samples = new KHotMlpKernel.Samples
        {
            Columns = (nint)TensorMemory.Int64(_columns), Ones = (int)_columns.shape[1], Targets = (nint)TensorMemory.Int64(_targets),
            Indices = indices is null ? 0 : (nint)TensorMemory.Int64(indices), Batch = batch, Activation = _activation,
        };
        float* w = TensorMemory.Float32(weights);
        if (_activation is not (StackActivation.Relu or StackActivation.Identity))
        {
            // tanh, GELU: torch applies the activation and its derivative to the kernel's pre-activations.
            var pre = torch.empty([chains, batch, _layout.Hidden], dtype: torch.ScalarType.Float32);
            KHotMlpKernel.PreActivations(w, weights.stride(0), TensorMemory.Float32(pre), chains, _layout, samples);
            var (values, derivatives) = Activate(pre, _activation);
            samples = samples with { Values = (nint)TensorMemory.Float32(values), Derivatives = (nint)TensorMemory.Float32(derivatives) };
        }
        var losses = torch.empty([chains], dtype: torch.ScalarType.Float32);
        KHotMlpKernel.Run(w, weights.stride(0), gradient is null ? null : TensorMemory.Float32(gradient), gradient?.stride(0) ?? 0,
            TensorMemory.Float32(losses), chains, _layout, samples);
        return losses.MoveToOuterDisposeScope();
    }

    private void CheckRows(torch.Tensor t, string name)
    {
        if (t.dim() != 2 || t.shape[1] != _dimension || t.stride(1) != 1)
            throw new ArgumentException($"{name}: expected [chains, {_dimension}] with contiguous rows, got [{string.Join(", ", t.shape)}]");
    }

    // (act(y), act′(y)), contiguous.
    private static (torch.Tensor Values, torch.Tensor Derivatives) Activate(torch.Tensor y, StackActivation activation)
    {
        switch (activation)
        {
            case StackActivation.Tanh:
            {
                var h = y.tanh();
                return (h, h.pow(Scalars.Two).neg_().add_(Scalars.One, Scalars.One));
            }
            case StackActivation.Gelu:
            {
                // torch's own GELU backward with a unit error: the derivative Φ(y) + y·φ(y) in one fused pass.
                using var enable = torch.enable_grad();
                var x = y.detach().requires_grad_(true);
                var h = torch.nn.functional.gelu(x);
                var d = torch.autograd.grad([h], [x], [torch.ones_like(y)])[0];
                return (h.detach(), d);
            }
            default:
                throw new InvalidOperationException($"activation {activation} runs inside the kernel");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _columns.Dispose();
        _targets.Dispose();
    }
}
