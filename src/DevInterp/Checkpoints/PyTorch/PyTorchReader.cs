namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// Reads files written by <c>torch.save</c> — the zip layout (PyTorch 1.6+), the legacy pickle stream and the pre-0.1.10
/// tar layout — without Python and without running anything from the file: a restricted unpickler that allows only the
/// globals <c>torch.load(weights_only=True)</c> allows, then a search for the state dict inside the unpickled object.
/// </summary>
public static class PyTorchReader
{
    /// <summary>Opens a torch.save file; <see cref="CheckpointOpenOptions.Key"/> picks the state dict inside a larger checkpoint.</summary>
    /// <exception cref="CheckpointFormatException">
    /// Corrupt or truncated, a refused pickle global, a TorchScript archive, or no (or several) state dicts; the message
    /// says which and what to do.
    /// </exception>
    public static ICheckpointReader Open(string path, CheckpointOpenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var file = MappedFile.Open(path);
        try
        {
            return Open(file, CheckpointFile.Detect(file), options);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads an open file whose format <see cref="CheckpointFile.Detect(MappedFile)"/> found; the reader owns the file
    /// from then on (the caller disposes it on failure).
    /// </summary>
    internal static ICheckpointReader Open(MappedFile file, CheckpointFormat format, CheckpointOpenOptions options) => format switch
    {
        CheckpointFormat.PyTorchZip => ZipPyTorchReader.Open(file, options),
        CheckpointFormat.PyTorchLegacy => LegacyPyTorchReader.Open(file, options),
        CheckpointFormat.PyTorchTar => TarPyTorchReader.Open(file, options),
        _ => throw new CheckpointFormatException(file.Path, $"not a torch.save file (detected {format})"),
    };
}
