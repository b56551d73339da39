using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>A training set for the LLC: inputs [n, ...] and targets [n, ...] on the CPU.</summary>
/// <param name="Inputs">Inputs, first dimension = samples.</param>
/// <param name="Targets">Targets, first dimension = samples (class indices for classification).</param>
public sealed record SupervisedData(torch.Tensor Inputs, torch.Tensor Targets)
{
    /// <summary>Number of samples n.</summary>
    public long Count => Inputs.shape[0];

    /// <summary>Rows <paramref name="indices"/> ([C, B]) of inputs and targets, shaped [C, B, ...]; all rows for null, expanded to C.</summary>
    public (torch.Tensor Inputs, torch.Tensor Targets) Batch(torch.Tensor? indices, long chains)
    {
        if (indices is null)
        {
            return (Expand(Inputs, chains), Expand(Targets, chains));
        }
        var flat = indices.flatten();
        var x = Inputs.index_select(0, flat);
        var y = Targets.index_select(0, flat);
        return (x.view([indices.shape[0], indices.shape[1], .. Inputs.shape[1..]]),
                y.view([indices.shape[0], indices.shape[1], .. Targets.shape[1..]]));
    }

    private static torch.Tensor Expand(torch.Tensor t, long chains) =>
        t.unsqueeze(0).expand([chains, .. t.shape]);

    /// <summary>
    /// A private copy with floating-point tensors in <paramref name="dtype"/> (integer targets keep their type), detached
    /// from any dispose scope: the owner disposes it.
    /// </summary>
    public SupervisedData ConvertTo(torch.ScalarType dtype)
    {
        var x = (Inputs.is_floating_point() ? Inputs.to_type(dtype) : Inputs).clone().DetachFromDisposeScope();
        var y = (Targets.is_floating_point() ? Targets.to_type(dtype) : Targets).clone().DetachFromDisposeScope();
        return new SupervisedData(x, y);
    }

    /// <summary>Checks that inputs and targets describe the same samples.</summary>
    public void Validate()
    {
        if (Inputs.dim() < 1 || Targets.dim() < 1) throw new ArgumentException("inputs and targets need a sample dimension");
        if (Inputs.shape[0] != Targets.shape[0])
            throw new ArgumentException($"inputs have {Inputs.shape[0]} samples but targets have {Targets.shape[0]}");
        if (Inputs.shape[0] == 0) throw new ArgumentException("the training set is empty");
    }
}
