using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>In-place initialisers that draw from an explicit generator, so a build never touches the global seed.</summary>
internal static class ParameterInit
{
    public static void Normal(Tensor t, double std, Generator generator)
    {
        // Tensor.normal_ honours the generator; nn.init.normal_ in TorchSharp 0.107 ignores it.
        using var _ = no_grad();
        t.normal_(0.0, std, generator);
    }

    /// <summary>U(-bound, bound).</summary>
    public static void Uniform(Tensor t, double bound, Generator generator)
    {
        using var _ = no_grad();
        t.uniform_(-bound, bound, generator);
    }

    public static void Fill(Tensor t, double value)
    {
        using var _ = no_grad();
        t.fill_(value);
    }

    /// <summary>PyTorch's default for nn.Linear: weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    public static void LinearDefault(TorchSharp.Modules.Linear linear, Generator generator)
    {
        double bound = 1.0 / Math.Sqrt(linear.weight!.shape[1]);
        Uniform(linear.weight, bound, generator);
        if (linear.bias is { } bias) Uniform(bias, bound, generator);
    }
}
