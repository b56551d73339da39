using DevInterp.Tasks;

namespace DevInterp.Llc.Potentials;

/// <summary>The LLC's view of a generated task: its training set and the loss it was trained with.</summary>
public static class TaskSupervision
{
    /// <summary>
    /// The training set (sharing <paramref name="data"/>'s tensors: keep it alive until the potential is built, which
    /// copies them) and the task loss: <see cref="SquaredErrorLoss"/> without output weights, else
    /// <see cref="WeightedSquaredErrorLoss"/> (mean_b Σ_j w_j (ŷ − y)², as <see cref="TaskData.Loss(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor)"/>).
    /// </summary>
    public static (SupervisedData Data, IChainLoss Loss) From(TaskData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        IChainLoss loss = data.OutputWeights is { } w ? new WeightedSquaredErrorLoss(w) : new SquaredErrorLoss();
        return (new SupervisedData(data.Inputs, data.Targets), loss);
    }
}
