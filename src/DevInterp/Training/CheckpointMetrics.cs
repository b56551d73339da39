using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Training;

/// <summary>
/// Model scalars recorded with each checkpoint, beside <c>train_loss</c>: for every model <c>weight_norm</c>, the
/// Euclidean norm of all parameters together (under weight decay it peaks and falls as a memorising solution is replaced
/// by a smaller one: the clean-up of grokking); for a deep linear network the singular
/// values of the end-to-end map (<c>sv_1</c> ≥ <c>sv_2</c> ≥ ...); for the TMS the norm of each feature's embedding
/// (<c>w_norm_1</c> ... , columns of W) and <c>features_represented</c>, the number of norms above
/// <see cref="RepresentedNorm"/>.
/// </summary>
public static class CheckpointMetrics
{
    /// <summary>Column norm above which a TMS feature counts as represented.</summary>
    public const double RepresentedNorm = 0.5;

    /// <summary>The metrics of a module.</summary>
    public static IReadOnlyDictionary<string, double> Compute(nn.Module module)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var metrics = new Dictionary<string, double>();
        double squares = 0;
        foreach (var p in module.parameters()) squares += p.detach().to_type(ScalarType.Float64).square().sum().item<double>();
        metrics["weight_norm"] = Math.Sqrt(squares);
        switch (module)
        {
            case DeepLinearNetwork dln:
                var sv = linalg.svdvals(dln.EndToEnd().to_type(ScalarType.Float64)).data<double>().ToArray();
                for (int i = 0; i < sv.Length; i++) metrics[$"sv_{i + 1}"] = sv[i];
                break;
            case TmsModel tms:
                var norms = tms.W.detach().to_type(ScalarType.Float64).norm(0).data<double>().ToArray();
                for (int i = 0; i < norms.Length; i++) metrics[$"w_norm_{i + 1}"] = norms[i];
                metrics["features_represented"] = norms.Count(n => n > RepresentedNorm);
                break;
        }
        return metrics;
    }
}
