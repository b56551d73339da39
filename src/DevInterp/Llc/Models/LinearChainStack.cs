using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>The element-wise activations a <see cref="LinearChainStack"/> back-propagates by hand.</summary>
internal enum StackActivation
{
    Identity,
    Relu,
    Tanh,
    Gelu,
}

/// <summary>
/// One layer of a <see cref="LinearChainStack"/>: y = act(x·Aᵀ + b) with A = parameter <paramref name="Weight"/>
/// ([C, out, in], nn.Linear's layout) or, when <paramref name="Transposed"/>, its transpose (the parameter is
/// [C, in, out]: a tied weight used the other way round). <paramref name="Bias"/> is the bias parameter's index or −1.
/// </summary>
internal sealed record StackLayer(int Weight, bool Transposed, int Bias, StackActivation Activation);

/// <summary>
/// The forward and hand-written backward pass of a stack of batched linear layers with element-wise activations (the
/// MLP, the deep linear network, the toy model of superposition, linear regression), for C chains at once. Inputs
/// [C, B, ..., in] are flattened to rows [C, R, in]; each layer is one batched matrix product, and its backward two
/// (weight gradient Gᵀ·X and input gradient G·A), plus a row sum for the bias.
/// </summary>
internal sealed class LinearChainStack
{
    private readonly StackLayer[] _layers;
    private readonly int _parameterCount;

    public LinearChainStack(IReadOnlyList<StackLayer> layers, int parameterCount)
    {
        if (layers.Count == 0) throw new ArgumentException("a linear stack needs at least one layer", nameof(layers));
        _layers = [.. layers];
        _parameterCount = parameterCount;
    }

    /// <summary>Maps an activation name of the specs to a stack activation; null when it has no hand-written derivative.</summary>
    public static StackActivation? ActivationOf(string name) => name switch
    {
        "relu" => StackActivation.Relu,
        "tanh" => StackActivation.Tanh,
        "gelu" => StackActivation.Gelu,
        _ => null,
    };

    /// <summary>The outputs only.</summary>
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs) => Run(parameters, inputs, record: false).Outputs;

    /// <summary>The outputs and what the backward pass needs.</summary>
    public IChainBackward Record(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs) => Run(parameters, inputs, record: true);

    private Tape Run(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs, bool record)
    {
        long chains = inputs.shape[0];
        bool rows = inputs.dim() == 3;
        var x = rows ? inputs : inputs.reshape(chains, -1, inputs.shape[^1]);
        var layerInputs = record ? new torch.Tensor[_layers.Length] : null;
        var kept = record ? new torch.Tensor[_layers.Length] : null;
        for (int l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            if (layerInputs is not null) layerInputs[l] = x;
            var w = parameters[layer.Weight];
            var y = torch.bmm(x, layer.Transposed ? w : w.transpose(1, 2));
            if (layer.Bias >= 0) y = y + parameters[layer.Bias].unsqueeze(1);
            x = layer.Activation switch
            {
                StackActivation.Identity => y,
                StackActivation.Relu => torch.nn.functional.relu(y),
                StackActivation.Tanh => torch.tanh(y),
                StackActivation.Gelu => torch.nn.functional.gelu(y),
                _ => throw new InvalidOperationException($"unknown activation {layer.Activation}"),
            };
            // ReLU and tanh derivatives are functions of the output; GELU's needs the pre-activation.
            if (kept is not null) kept[l] = layer.Activation == StackActivation.Gelu ? y : x;
        }
        var outputs = rows ? x : x.reshape([.. inputs.shape[..^1], x.shape[^1]]);
        return new Tape(this, parameters, layerInputs, kept, outputs);
    }

    private sealed class Tape(LinearChainStack stack, IReadOnlyList<torch.Tensor> parameters, torch.Tensor[]? layerInputs,
        torch.Tensor[]? kept, torch.Tensor outputs) : IChainBackward
    {
        public torch.Tensor Outputs => outputs;

        public torch.Tensor?[] Backward(torch.Tensor outputGradient, IReadOnlyList<bool> wanted)
        {
            var layers = stack._layers;
            if (wanted.Count != stack._parameterCount)
                throw new ArgumentException($"wanted: expected {stack._parameterCount} flags (one per parameter), got {wanted.Count}", nameof(wanted));
            var gradients = new torch.Tensor?[stack._parameterCount];
            int first = Array.FindIndex(layers, l => wanted[l.Weight] || (l.Bias >= 0 && wanted[l.Bias]));
            if (first < 0) return gradients;
            var g = outputGradient.dim() == 3 ? outputGradient : outputGradient.reshape(outputGradient.shape[0], -1, outputGradient.shape[^1]);
            for (int l = layers.Length - 1; l >= first; l--)
            {
                var layer = layers[l];
                g = ActivationGradient(g, layer.Activation, kept![l]);
                var x = layerInputs![l];
                if (wanted[layer.Weight])
                {
                    // ∂/∂A = Gᵀ·X ([C, out, in]); a transposed use contributes (Gᵀ·X)ᵀ = Xᵀ·G to the parameter.
                    var dw = layer.Transposed ? torch.bmm(x.transpose(1, 2), g) : torch.bmm(g.transpose(1, 2), x);
                    Accumulate(gradients, layer.Weight, dw);
                }
                if (layer.Bias >= 0 && wanted[layer.Bias]) Accumulate(gradients, layer.Bias, g.sum(1));
                if (l > first)
                {
                    var w = parameters[layer.Weight];
                    g = torch.bmm(g, layer.Transposed ? w.transpose(1, 2) : w);
                }
            }
            return gradients;
        }

        private static void Accumulate(torch.Tensor?[] gradients, int index, torch.Tensor value) =>
            gradients[index] = gradients[index] is { } earlier ? earlier + value : value;

        private static torch.Tensor ActivationGradient(torch.Tensor g, StackActivation activation, torch.Tensor kept) => activation switch
        {
            StackActivation.Identity => g,
            StackActivation.Relu => g * kept.gt(0),
            StackActivation.Tanh => g * (1 - kept.square()),
            // d/dy y·Φ(y) = Φ(y) + y·φ(y), as torch's GELU backward.
            StackActivation.Gelu => g * ((kept * Math.Sqrt(0.5)).erf().add_(1).mul_(0.5)
                + kept * (kept.square() * -0.5).exp().mul_(1 / Math.Sqrt(2 * Math.PI))),
            _ => throw new InvalidOperationException($"unknown activation {activation}"),
        };
    }
}
