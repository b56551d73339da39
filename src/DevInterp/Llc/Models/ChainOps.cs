using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>Layers written for a leading chain dimension: every parameter is [C, ...], every activation [C, ..., features].</summary>
internal static class ChainOps
{
    /// <summary>
    /// nn.Linear per chain: x [C, ..., in], weight [C, out, in], bias [C, out] or null → [C, ..., out], as one batched
    /// matrix product over the chains.
    /// </summary>
    public static torch.Tensor Linear(torch.Tensor x, torch.Tensor weight, torch.Tensor? bias)
    {
        long chains = x.shape[0], inputs = x.shape[^1], outputs = weight.shape[1];
        var rows = x.reshape(chains, -1, inputs);
        var y = torch.bmm(rows, weight.transpose(1, 2));
        if (bias is not null) y = y + bias.unsqueeze(1);
        return y.reshape([.. x.shape[..^1], outputs]);
    }

    /// <summary>nn.LayerNorm over the last dimension with per-chain weight and bias [C, d].</summary>
    public static torch.Tensor LayerNorm(torch.Tensor x, torch.Tensor weight, torch.Tensor bias, double eps)
    {
        long d = x.shape[^1];
        var normalized = torch.nn.functional.layer_norm(x, [d], null, null, eps);
        var broadcast = Broadcast(x.dim(), weight);
        return normalized * broadcast + Broadcast(x.dim(), bias);
    }

    /// <summary>A [C, d] parameter reshaped to broadcast against [C, ..., d] of <paramref name="dims"/> dimensions.</summary>
    public static torch.Tensor Broadcast(long dims, torch.Tensor parameter)
    {
        var shape = new long[dims];
        Array.Fill(shape, 1L);
        shape[0] = parameter.shape[0];
        shape[^1] = parameter.shape[^1];
        return parameter.reshape(shape);
    }

    /// <summary>The parameter-free activations the built-in specs use, by spec name (see Models/Activations).</summary>
    public static Func<torch.Tensor, torch.Tensor> Activation(string name) => name switch
    {
        "relu" => x => torch.nn.functional.relu(x),
        "tanh" => x => torch.tanh(x),
        "gelu" => x => torch.nn.functional.gelu(x),
        "gelu_tanh" => x => torch.nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh),
        _ => throw new ArgumentException($"unknown activation '{name}'", nameof(name)),
    };

    /// <summary>Checks the parameter list against a model's shapes: count, chain dimension, per-chain shape.</summary>
    public static long CheckParameters(IReadOnlyList<(string Name, long[] Shape)> expected, IReadOnlyList<torch.Tensor> parameters)
    {
        if (parameters.Count != expected.Count)
            throw new ArgumentException($"parameters: expected {expected.Count} tensors ({string.Join(", ", expected.Select(p => p.Name))}), got {parameters.Count}", nameof(parameters));
        long chains = parameters[0].dim() > 0 ? parameters[0].shape[0] : 0;
        for (int i = 0; i < expected.Count; i++)
        {
            var (name, shape) = expected[i];
            var p = parameters[i];
            if (p.dim() != shape.Length + 1 || p.shape[0] != chains || !p.shape[1..].SequenceEqual(shape))
                throw new ArgumentException(
                    $"parameters: '{name}' has shape [{string.Join(", ", p.shape)}], expected [{chains}, {string.Join(", ", shape)}] (chains first)", nameof(parameters));
        }
        return chains;
    }

    /// <summary>Checks float inputs [C, B, ..., width] against the chain count and input width.</summary>
    public static void CheckVectorInputs(torch.Tensor inputs, long chains, long width, string model)
    {
        if (inputs.dim() < 3 || inputs.shape[0] != chains || inputs.shape[^1] != width)
            throw new ArgumentException(
                $"inputs: {model} expects [chains={chains}, batch, ..., {width}], got [{string.Join(", ", inputs.shape)}]", nameof(inputs));
        if (!inputs.is_floating_point())
            throw new ArgumentException($"inputs: {model} expects floating-point inputs, got {inputs.dtype}", nameof(inputs));
    }
}
