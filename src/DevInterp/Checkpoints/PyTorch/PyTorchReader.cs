namespace DevInterp.Checkpoints.PyTorch;

/// <summary>Reads files written by <c>torch.save</c>. (Being implemented.)</summary>
public static class PyTorchReader
{
    /// <summary>Opens a torch.save file.</summary>
    public static ICheckpointReader Open(string path, CheckpointOpenOptions options) =>
        throw new CheckpointFormatException(path, "PyTorch files are not readable yet");
}
