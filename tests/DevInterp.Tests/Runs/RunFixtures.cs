using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;
using DevInterp.Tests.Checkpoints.PyTorch;

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

    /// <summary>
    /// Writes a torch.save-style zip of a nested training checkpoint, <c>{"model": {"w": tensor([value])}, "step": step,
    /// "epoch": epoch}</c> (the layout of <c>torch.save({"model": model.state_dict(), "step": ..., ...})</c>), so the
    /// step is only a scalar beside the state dict.
    /// </summary>
    public static string WriteNestedTorchCheckpoint(string path, float value, long step, long epoch)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        byte[] pickle = new PickleBuilder().Proto()
            .Op('}').Op('(')
            .Str("model").Op('}').Op('(').Str("w").Tensor("FloatStorage", "0", 1, 0, [1], [1]).Op('u')
            .Str("step").Int(step)
            .Str("epoch").Int(epoch)
            .Op('u').Stop().ToArray();
        return PickleBuilder.WriteZipTo(path, pickle, ("0", BitConverter.GetBytes(value)));
    }
}
