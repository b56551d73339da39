using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DevInterp.Models.Transformer;

/// <summary>The block MLP: <c>c_fc</c> (d → d_mlp), <c>act</c> (hook it for neuron activations), <c>c_proj</c> (d_mlp → d).</summary>
public sealed class GptMlp : ExplicitModule
{
    private readonly Linear _cFc;
    private readonly nn.Module<Tensor, Tensor> _act;
    private readonly Linear _cProj;

    internal GptMlp(TransformerSpec spec, Generator generator, ScalarType dtype, double projStd) : base(nameof(GptMlp))
    {
        _cFc = nn.Linear(spec.DModel, spec.DMlp, hasBias: true, dtype: dtype);
        _act = Activations.Create(spec.Activation);
        _cProj = nn.Linear(spec.DMlp, spec.DModel, hasBias: true, dtype: dtype);
        ParameterInit.Normal(_cFc.weight!, 0.02, generator);
        ParameterInit.Fill(_cFc.bias!, 0);
        ParameterInit.Normal(_cProj.weight!, projStd, generator);
        ParameterInit.Fill(_cProj.bias!, 0);
        register_module("c_fc", _cFc);
        register_module("act", _act);
        register_module("c_proj", _cProj);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => _cProj.call(_act.call(_cFc.call(x)));
}
