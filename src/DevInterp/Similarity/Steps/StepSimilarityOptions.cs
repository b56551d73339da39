namespace DevInterp.Similarity.Steps;

/// <summary>How <see cref="StepSimilarityAccumulator"/> computes the cross-checkpoint HSIC terms ⟨K_t, K_s⟩.</summary>
public enum StepSimilarityRoute
{
    /// <summary>Pick the cheaper of <see cref="Features"/> and <see cref="Gram"/> from the shapes (see docs/similarity.md).</summary>
    Auto,

    /// <summary>
    /// Feature space: ⟨K_t, K_s⟩ = ‖F_tᵀF_s‖²_F, a d × d product per pair (n·d² multiply-adds); groups of checkpoints
    /// are concatenated so one large product serves many pairs. Cheapest when d² is small compared with n.
    /// </summary>
    Features,

    /// <summary>
    /// Sample space: the centered Gram matrices K_t = F_tF_tᵀ are formed block by block (each n × n block once per
    /// checkpoint, upper-triangular blocks only) and all ⟨K_t, K_s⟩ come from one T × T product per block.
    /// Cost n²·d/2 per checkpoint plus n²/2 per pair; cheapest when d is not small compared with √n.
    /// </summary>
    Gram,
}

/// <summary>Options of <see cref="StepSimilarityAccumulator"/>.</summary>
/// <param name="Route">Computation route; <see cref="StepSimilarityRoute.Auto"/> chooses by estimated cost.</param>
/// <param name="GramBlockSize">Rows per sample block in the Gram route (memory T·b² doubles for the block products).</param>
/// <param name="FeatureTileColumns">Concatenated feature columns per checkpoint group in the feature route.</param>
/// <param name="MaxDegreeOfParallelism">Worker threads for <see cref="StepSimilarityAccumulator.Result"/>; -1 uses every
/// core.</param>
public sealed record StepSimilarityOptions(
    StepSimilarityRoute Route = StepSimilarityRoute.Auto,
    int GramBlockSize = 128,
    int FeatureTileColumns = 2048,
    int MaxDegreeOfParallelism = -1);
