namespace DevInterp.Runs;

/// <summary>What a checkpoint's position in training counts.</summary>
public enum StepUnit
{
    /// <summary>Optimizer steps.</summary>
    Step,
    /// <summary>Epochs (files named <c>epoch_12.pt</c> or carrying only an epoch); <c>epoch_init</c> is epoch 0.</summary>
    Epoch,
}
