using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace DevInterp.Numerics;

/// <summary>Raw access to a CPU tensor's values through its strides, for the managed kernels.</summary>
internal static unsafe class TensorMemory
{
    /// <summary>
    /// The address of <paramref name="t"/>'s first element (a CPU tensor of <paramref name="dtype"/>, any strides ≥ 0), or
    /// null when it is empty. Valid while <paramref name="t"/> (which keeps its storage alive) is.
    /// </summary>
    public static void* Address(torch.Tensor t, torch.ScalarType dtype)
    {
        if (t.dtype != dtype || t.device_type != DeviceType.CPU)
            throw new ArgumentException($"expected a {dtype} CPU tensor, got {t.dtype} on {t.device_type}", nameof(t));
        // A contiguous 1-D view from the first element to the last one the strides reach: its bytes start where t does.
        long extent = 1;
        for (int d = 0; d < t.dim(); d++)
        {
            if (t.shape[d] == 0) return null;
            extent += (t.shape[d] - 1) * t.stride(d);
        }
        using var span = t.as_strided([extent], [1], t.storage_offset());
        return Unsafe.AsPointer(ref MemoryMarshal.GetReference(span.bytes));
    }

    /// <summary><see cref="Address"/> of a float32 tensor.</summary>
    public static float* Float32(torch.Tensor t) => (float*)Address(t, torch.ScalarType.Float32);

    /// <summary><see cref="Address"/> of an int64 tensor.</summary>
    public static long* Int64(torch.Tensor t) => (long*)Address(t, torch.ScalarType.Int64);
}
