using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>
/// The module an <see cref="MlpSpec"/> builds. Submodules: <c>layers</c> (a module list holding, with sequential naming,
/// Linear, activation, Linear, ...; with contiguous naming only the Linear layers) and, with contiguous naming,
/// <c>activations</c>; with an embedding, <c>embed</c> first. Input [..., in] (or int64 token ids [batch, k] with an
/// embedding) → output [..., out].
/// </summary>
public sealed class MlpModel : ExplicitModule
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> _layers = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>>? _activations;
    private readonly bool _contiguous;
    private readonly Embedding? _embed;
    private readonly MlpEmbedding? _embedding;

    internal MlpModel(MlpSpec spec, Generator generator, ScalarType dtype) : base(nameof(MlpModel))
    {
        _contiguous = spec.Naming == "contiguous";
        if (spec.Embedding is { } e)
        {
            _embedding = e;
            _embed = nn.Embedding(e.Vocab, e.Dim, dtype: dtype);
            ParameterInit.Normal(_embed.weight!, 1.0, generator);
            register_module("embed", _embed);
        }
        if (_contiguous) _activations = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < spec.LinearCount; i++)
        {
            var linear = nn.Linear(spec.Widths[i], spec.Widths[i + 1], hasBias: spec.Bias, dtype: dtype);
            ParameterInit.LinearDefault(linear, generator);
            _layers.Add(linear);
            if (i == spec.LinearCount - 1) break;
            var act = Activations.Create(spec.Activation);
            if (_contiguous) _activations!.Add(act);
            else _layers.Add(act);
        }
        register_module("layers", _layers);
        if (_activations is not null) register_module("activations", _activations);
    }

    private Tensor Embed(Tensor tokens)
    {
        if (tokens.dtype != ScalarType.Int64 || tokens.dim() != 2)
            throw new ArgumentException($"an MLP with an embedding takes int64 token ids [batch, tokens], got {tokens.dtype} [{string.Join(", ", tokens.shape)}]", nameof(tokens));
        var e = _embed!.call(tokens); // [batch, k, dim]
        return _embedding!.Combine == "sum" ? e.sum(1) : e.flatten(1);
    }

    /// <summary>The Linear layers, in order.</summary>
    public IReadOnlyList<Linear> Linears => _layers.OfType<Linear>().ToList();

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = _embed is null ? input : Embed(input);
        if (!_contiguous)
        {
            foreach (var layer in _layers) x = layer.call(x);
            return x;
        }
        for (int i = 0; i < _layers.Count; i++)
        {
            x = _layers[i].call(x);
            if (i < _activations!.Count) x = _activations[i].call(x);
        }
        return x;
    }
}
