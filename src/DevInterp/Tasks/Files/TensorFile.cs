using DevInterp.Checkpoints;

namespace DevInterp.Tasks.Files;

/// <summary>
/// Reads the tensors of a file <see cref="CheckpointFile.Open"/> understands (safetensors, and TorchSharp .dat) as
/// named arrays; values are read when a tensor is selected.
/// </summary>
internal static class TensorFile
{
    public static DataContents Open(string path)
    {
        DataFiles.RequireFile(path);
        ICheckpointReader reader;
        try
        {
            reader = CheckpointFile.Open(path);
        }
        catch (CheckpointFormatException e)
        {
            throw new DataFileException(path, e.Reason, e);
        }
        var names = reader.Tensors.Select(t => t.Name).ToArray();
        if (names.Length == 0)
        {
            reader.Dispose();
            throw new DataFileException(path, "the file holds no tensors");
        }
        NumericArray Read(string name)
        {
            var info = reader.GetTensor(name);
            try
            {
                return new NumericArray(name, [.. info.Shape], reader.ReadDoubles(name));
            }
            catch (Exception e) when (e is CheckpointFormatException or NotSupportedException)
            {
                throw new DataFileException(path, $"tensor '{name}' cannot be read as numbers: {(e is CheckpointFormatException c ? c.Reason : e.Message)}", e);
            }
        }
        return new DataContents(path, names, Read, isTable: false, owner: reader);
    }
}
