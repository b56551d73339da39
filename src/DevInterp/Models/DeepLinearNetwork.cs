using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>The module a <see cref="DlnSpec"/> builds: a <c>layers</c> module list of bias-free Linear layers.</summary>
public sealed class DeepLinearNetwork : ExplicitModule
{
    private readonly ModuleList<Linear> _layers = new();

    internal DeepLinearNetwork(DlnSpec spec, Generator generator, ScalarType dtype) : base(nameof(DeepLinearNetwork))
    {
        for (int i = 0; i < spec.Depth; i++)
        {
            var linear = nn.Linear(spec.Widths[i], spec.Widths[i + 1], hasBias: false, dtype: dtype);
            ParameterInit.Normal(linear.weight!, spec.InitScale, generator);
            _layers.Add(linear);
        }
        register_module("layers", _layers);
    }

    /// <summary>The layers, input side first.</summary>
    public IReadOnlyList<Linear> Layers => [.. _layers];

    /// <summary>The end-to-end map W_{L-1} ⋯ W_0, shaped [output, input], detached from autograd.</summary>
    public Tensor EndToEnd()
    {
        using var _ = no_grad();
        var product = _layers[0].weight!.detach().clone();
        for (int i = 1; i < _layers.Count; i++)
        {
            var next = _layers[i].weight!.matmul(product);
            product.Dispose();
            product = next;
        }
        return product;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.call(x);
        return x;
    }
}
