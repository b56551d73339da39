using static TorchSharp.torch;

namespace DevInterp.Tasks;

/// <summary>
/// A generated training set and its loss: L = (1/n) Σ_samples Σ_j w_j (output_j − target_j)², with w the task's output
/// weights (TMS feature importances; all 1 for the DLN). Owns its tensors.
/// </summary>
public sealed class TaskData : IDisposable
{
    internal TaskData(Tensor inputs, Tensor targets, Tensor? outputWeights)
    {
        Inputs = inputs;
        Targets = targets;
        OutputWeights = outputWeights;
    }

    /// <summary>Inputs [n, input size].</summary>
    public Tensor Inputs { get; }

    /// <summary>Targets [n, output size].</summary>
    public Tensor Targets { get; }

    /// <summary>Per-output loss weights [output size], or null for all 1.</summary>
    public Tensor? OutputWeights { get; }

    /// <summary>Number of samples n.</summary>
    public long Count => Inputs.shape[0];

    /// <summary>The loss of predictions [..., out] against targets of the same shape (scalar tensor, differentiable).</summary>
    public Tensor Loss(Tensor prediction, Tensor target)
    {
        var squared = (prediction - target).square();
        if (OutputWeights is not null) squared = squared * OutputWeights;
        return squared.sum(-1).mean();
    }

    /// <summary>The loss of a model on the whole set, or on the rows <paramref name="indices"/> (int64).</summary>
    public Tensor Loss(nn.Module<Tensor, Tensor> model, Tensor? indices = null)
    {
        var x = indices is null ? Inputs : Inputs.index_select(0, indices);
        var y = indices is null ? Targets : Targets.index_select(0, indices);
        return Loss(model.call(x), y);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
        OutputWeights?.Dispose();
    }
}
