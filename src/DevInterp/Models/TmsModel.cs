using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>
/// The module a <see cref="TmsSpec"/> builds: parameters <c>W</c> [hidden, features] and <c>b_final</c> [features];
/// the hidden vector W x passes through the hook point <c>hook_hidden</c>. Input [..., features] → output [..., features].
/// </summary>
public sealed class TmsModel : ExplicitModule
{
    private readonly Parameter _w;
    private readonly Parameter _bias;
    private readonly HookPoint _hookHidden = new();

    internal TmsModel(TmsSpec spec, Generator generator, ScalarType dtype) : base(nameof(TmsModel))
    {
        _w = new Parameter(zeros(spec.Hidden, spec.Features, dtype: dtype));
        _bias = new Parameter(zeros(spec.Features, dtype: dtype));
        double std = spec.InitScale ?? Math.Sqrt(2.0 / (spec.Hidden + spec.Features));
        ParameterInit.Normal(_w, std, generator);
        register_parameter("W", _w);
        register_parameter("b_final", _bias);
        register_module("hook_hidden", _hookHidden);
    }

    /// <summary>The embedding matrix W [hidden, features]; column i embeds feature i.</summary>
    public Parameter W => _w;

    /// <summary>The output bias [features].</summary>
    public Parameter BFinal => _bias;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var hidden = _hookHidden.call(input.matmul(_w.t()));
        return nn.functional.relu(hidden.matmul(_w) + _bias);
    }
}
