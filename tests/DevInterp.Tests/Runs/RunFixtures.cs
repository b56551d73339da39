using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;

namespace DevInterp.Tests.Runs;

/// <summary>Builds small run directories of safetensors checkpoints for the run tests.</summary>
internal static class RunFixtures
{
    /// <summary>Writes a one-tensor safetensors checkpoint whose single value is <paramref name="value"/>.</summary>
    public static string WriteCheckpoint(string path, float value, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var info = new TensorInfo("w", TensorDType.Float32, [1]);
        SafetensorsWriter.Write(path, [(info, (ReadOnlyMemory<byte>)BitConverter.GetBytes(value))], metadata);
        return path;
    }
}
