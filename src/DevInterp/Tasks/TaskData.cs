using DevInterp.Llc.Potentials;
using static TorchSharp.torch;

namespace DevInterp.Tasks;

/// <summary>
/// One split of a task (its training set, or its test set) with the loss the task trains on: inputs [n, ...], targets
/// [n, ...] (float values, or int64 class indices for classification) and an <see cref="IChainLoss"/>. Owns its tensors.
/// Deconstructs into what the LLC estimator consumes: <c>var (data, loss) = task;</c>.
/// </summary>
public sealed class TaskData : IDisposable
{
    /// <summary>A split from tensors the caller hands over (disposed with this object) and any loss.</summary>
    /// <exception cref="ArgumentException">Inputs and targets differ in sample count, or the set is empty.</exception>
    public TaskData(Tensor inputs, Tensor targets, IChainLoss loss)
        : this(inputs, targets, loss, null)
    {
    }

    internal TaskData(Tensor inputs, Tensor targets, IChainLoss loss, Tensor? outputWeights)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(loss);
        Inputs = inputs;
        Targets = targets;
        LossFunction = loss;
        OutputWeights = outputWeights;
        Supervised = new SupervisedData(inputs, targets);
        Supervised.Validate();
    }

    /// <summary>Inputs [n, ...]: features (floating point) or tokens (int64).</summary>
    public Tensor Inputs { get; }

    /// <summary>Targets [n, ...]: values (floating point) or class indices [n] (int64).</summary>
    public Tensor Targets { get; }

    /// <summary>Per-output loss weights [output size] (TMS feature importances), or null when the loss has none.</summary>
    public Tensor? OutputWeights { get; }

    /// <summary>The task's own training loss, for all chains at once.</summary>
    public IChainLoss LossFunction { get; }

    /// <summary>The inputs and targets as the LLC estimator takes them (the same tensors, still owned by this object).</summary>
    public SupervisedData Supervised { get; }

    /// <summary>Where the inputs came from (a data file's path), for messages; null for generated data.</summary>
    public string? InputsSource { get; init; }

    /// <summary>Where the targets came from (a data file's path), for messages; null for generated data.</summary>
    public string? TargetsSource { get; init; }

    /// <summary>Number of samples n.</summary>
    public long Count => Inputs.shape[0];

    /// <summary>True when the targets are class indices (int64) rather than values.</summary>
    public bool IsClassification => !Targets.is_floating_point();

    /// <summary>
    /// The loss of one model's predictions [B, ...] against targets [B, ...] (scalar tensor, differentiable): the
    /// task's <see cref="LossFunction"/> with a chain dimension of 1.
    /// </summary>
    public Tensor Loss(Tensor prediction, Tensor target) =>
        LossFunction.Compute(prediction.unsqueeze(0), target.unsqueeze(0)).squeeze(0);

    /// <summary>The loss of a model on the whole set, or on the rows <paramref name="indices"/> (int64).</summary>
    public Tensor Loss(nn.Module<Tensor, Tensor> model, Tensor? indices = null)
    {
        var x = indices is null ? Inputs : Inputs.index_select(0, indices);
        var y = indices is null ? Targets : Targets.index_select(0, indices);
        return Loss(model.call(x), y);
    }

    /// <summary>The split as the LLC estimator consumes it: the data and the loss.</summary>
    public void Deconstruct(out SupervisedData data, out IChainLoss loss)
    {
        data = Supervised;
        loss = LossFunction;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
        OutputWeights?.Dispose();
    }
}
