namespace DevInterp.Checkpoints.TorchSharpDat;

/// <summary>Reads TorchSharp state dicts. (Being implemented.)</summary>
public static class TorchSharpDatReader
{
    /// <summary>Opens a .dat state dict.</summary>
    public static ICheckpointReader Open(string path) =>
        throw new CheckpointFormatException(path, "TorchSharp .dat files are not readable yet");

    /// <summary>True when the leading bytes look like a TorchSharp state dict.</summary>
    public static bool LooksLikeStateDict(ReadOnlySpan<byte> head, long length) => false;
}
