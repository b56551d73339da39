using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Training;

/// <summary>
/// Model-specific scalars recorded with each checkpoint, beside <c>train_loss</c>: for a deep linear network the singular
/// values of the end-to-end map (<c>sv_1</c> ≥ <c>sv_2</c> ≥ ...); for the TMS the norm of each feature's embedding
/// (<c>w_norm_1</c> ... , columns of W) and <c>features_represented</c>, the number of norms above
/// <see cref="RepresentedNorm"/>.
/// </summary>
public static class CheckpointMetrics
{
    /// <summary>Column norm above which a TMS feature counts as represented.</summary>
    public const double RepresentedNorm = 0.5;

    /// <summary>The metrics of a module (empty for modules without any).</summary>
    public static IReadOnlyDictionary<string, double> Compute(nn.Module module)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var metrics = new Dictionary<string, double>();
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
