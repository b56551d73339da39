using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;
using TorchSharp;

namespace DevInterp.Tests.Checkpoints.Safetensors;

/// <summary>float16 and bfloat16 values widened to float32/float64, checked against their exact binary values.</summary>
public class HalfPrecisionConversionTests
{
    // binary16 bit patterns and their exact values: 1.5, -2.25, 3.125, the largest finite, the smallest subnormal 2^-24, +inf.
    private static readonly ushort[] HalfBits = [0x3E00, 0xC080, 0x4240, 0x7BFF, 0x0001, 0x7C00];
    private static readonly double[] HalfValues = [1.5, -2.25, 3.125, 65504, 5.9604644775390625e-08, double.PositiveInfinity];

    // bfloat16 = upper half of binary32: 1.5, -2.5, 3.5, 1 + 2^-7, the smallest subnormal 2^-133, -inf.
    private static readonly ushort[] BFloatBits = [0x3FC0, 0xC020, 0x4060, 0x3F81, 0x0001, 0xFF80];
    private static readonly double[] BFloatValues = [1.5, -2.5, 3.5, 1.0078125, Math.ScaleB(1.0, -133), double.NegativeInfinity];

    public static TheoryData<TensorDType> HalfTypes => new(TensorDType.Float16, TensorDType.BFloat16);

    [Theory]
    [MemberData(nameof(HalfTypes))]
    public void ReadDoublesGivesTheExactValues(TensorDType dtype)
    {
        using var reader = Open(dtype);
        Assert.Equal(Expected(dtype), reader.ReadDoubles("x"));
        Assert.Equal(Expected(dtype).Select(v => (float)v), reader.ReadFloats("x"));
    }

    [Theory]
    [MemberData(nameof(HalfTypes))]
    public void ReadTorchConvertsToFloat32AndFloat64(TensorDType dtype)
    {
        using var reader = Open(dtype);
        using (var native = reader.ReadTorch("x"))
        {
            Assert.Equal(dtype.ToScalarType(), native.dtype);
        }
        using (var f32 = reader.ReadTorch("x", torch.ScalarType.Float32))
        {
            Assert.Equal(torch.ScalarType.Float32, f32.dtype);
            Assert.Equal(Expected(dtype).Select(v => (float)v), f32.data<float>().ToArray());
        }
        using (var f64 = reader.ReadTorch("x", torch.ScalarType.Float64))
        {
            Assert.Equal(torch.ScalarType.Float64, f64.dtype);
            Assert.Equal([2L, 3L], f64.shape);
            Assert.Equal(Expected(dtype), f64.data<double>().ToArray());
        }
    }

    [Fact]
    public void HfFloat16SampleConvertsToMinusThreeToTwo()
    {
        using var reader = CheckpointFile.Open(TestPaths.External("hf_safetensors_samples/e.safetensors"));
        using var t = reader.ReadTorch("e", torch.ScalarType.Float32);
        Assert.Equal([-3f, -2, -1, 0, 1, 2], t.data<float>().ToArray());
    }

    private static double[] Expected(TensorDType dtype) => dtype == TensorDType.Float16 ? HalfValues : BFloatValues;

    private static SafetensorsReader Open(TensorDType dtype)
    {
        ushort[] bits = dtype == TensorDType.Float16 ? HalfBits : BFloatBits;
        var bytes = new byte[bits.Length * 2];
        Buffer.BlockCopy(bits, 0, bytes, 0, bytes.Length);
        string path = Path.Combine(TestPaths.NewTempDir(), "half.safetensors");
        SafetensorsWriter.Write(path, [(new TensorInfo("x", dtype, [2, 3]), (ReadOnlyMemory<byte>)bytes)]);
        return SafetensorsReader.Open(path);
    }
}
