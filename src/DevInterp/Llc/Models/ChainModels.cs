using DevInterp.Llc.Potentials;
using DevInterp.Llc.Validation;
using DevInterp.Models;

namespace DevInterp.Llc.Models;

/// <summary>The batched chain model of each built-in model spec.</summary>
public static class ChainModels
{
    /// <summary>
    /// The chain model of <paramref name="spec"/>, with the parameter names and order of the module
    /// <see cref="ModelSpec.Build"/> makes; null for a spec type without one (estimate those with a
    /// <see cref="ModulePotential"/>).
    /// </summary>
    public static IChainModel? For(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec switch
        {
            MlpSpec { Embedding: not null } embedded => new EmbeddingMlpChainModel(embedded),
            MlpSpec mlp => new MlpChainModel(mlp),
            DlnSpec dln => new DeepLinearChainModel(dln.Widths.Select(w => checked((int)w)).ToArray()),
            TmsSpec tms => new TmsChainModel(tms),
            TransformerSpec transformer => new TransformerChainModel(transformer),
            _ => null,
        };
    }
}
