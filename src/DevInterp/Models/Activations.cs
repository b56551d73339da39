using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>The activation names specs accept, and the modules they build.</summary>
public static class Activations
{
    /// <summary>Names accepted by the <c>mlp</c> spec.</summary>
    public static readonly string[] MlpNames = ["relu", "tanh", "gelu"];

    /// <summary>Names accepted by the <c>transformer</c> spec (gelu_tanh is GPT-2's "gelu_new").</summary>
    public static readonly string[] TransformerNames = ["gelu_tanh", "gelu", "relu"];

    /// <summary>A parameter-free activation module: relu, tanh, gelu (exact, erf) or gelu_tanh (tanh approximation).</summary>
    public static nn.Module<Tensor, Tensor> Create(string name) => name switch
    {
        "relu" => nn.ReLU(),
        "tanh" => nn.Tanh(),
        "gelu" => nn.GELU(),
        "gelu_tanh" => nn.GELU(TorchSharp.Modules.GELU.Approximate.tanh),
        _ => throw new ArgumentException($"unknown activation '{name}'", nameof(name)),
    };
}
