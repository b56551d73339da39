using DevInterp.Checkpoints;
using TorchSharp;

namespace DevInterp.Tests.Checkpoints;

/// <summary>
/// One set of tensors written by real tooling in two formats loads the same through every reader: same names, dtypes,
/// shapes and bit-identical values.
/// </summary>
/// <remarks>
/// The pair used is pybridge's <c>tensors.pth</c> (<c>torch.save</c>) and <c>tensors.safetensors</c>
/// (<c>safetensors.torch.save_file</c>). PROVENANCE.md records both as {"arr": int64 [1..6], "arr_2d": arr.reshape(2,3)}.
/// The shared burn mnist <c>.pt</c>/<c>.safetensors</c> pair is NOT usable here: despite PROVENANCE.md, the two files
/// are different training runs (norm1.num_batches_tracked is 3752 in mnist.pt and 7504 in mnist.safetensors, and every
/// weight differs), so only their architecture is compared
/// (<see cref="PyTorch.ExternalPyTorchFilesTests.MnistPtAndSafetensorsDescribeTheSameArchitecture"/>).
/// </remarks>
public class CrossFormatTests
{
    private const string Pth = "pybridge/pickled_tensors/tensors.pth";
    private const string Safetensors = "pybridge/pickled_tensors/tensors.safetensors";

    [Fact]
    public void PyBridgeTensorsPthAndSafetensorsAreBitIdentical()
    {
        using var pt = CheckpointFile.Open(TestPaths.External(Pth));
        using var st = CheckpointFile.Open(TestPaths.External(Safetensors));
        Assert.Equal(CheckpointFormat.PyTorchZip, pt.Format);
        Assert.Equal(CheckpointFormat.Safetensors, st.Format);

        Assert.Equal(["arr", "arr_2d"], st.Tensors.Select(t => t.Name));
        Assert.Equal(st.Tensors.Select(t => t.Name), pt.Tensors.Select(t => t.Name));
        foreach (var t in st.Tensors)
        {
            var other = pt.GetTensor(t.Name);
            Assert.Equal(t.DType, other.DType);
            Assert.Equal(t.Shape, other.Shape);
            Assert.Equal(st.ReadBytes(t.Name), pt.ReadBytes(t.Name));
        }

        // And the values are the ones PROVENANCE.md names, not merely equal to each other: int64 1..6, little-endian.
        byte[] oneToSix = [.. Enumerable.Range(1, 6).SelectMany(i => BitConverter.GetBytes((long)i))];
        Assert.Equal(TensorDType.Int64, st.GetTensor("arr").DType);
        Assert.Equal([6L], st.GetTensor("arr").Shape);
        Assert.Equal([2L, 3], st.GetTensor("arr_2d").Shape);
        Assert.Equal(oneToSix, pt.ReadBytes("arr"));
        Assert.Equal(oneToSix, pt.ReadBytes("arr_2d"));
    }

    [Fact]
    public void BothFilesSeenAsInMemoryStateDictsGiveTheSameBytes()
    {
        // The in-memory reader (what StateDictLoader uses for a live state dict) over tensors loaded from each file.
        using var pt = CheckpointFile.Open(TestPaths.External(Pth));
        using var st = CheckpointFile.Open(TestPaths.External(Safetensors));
        using var scope = torch.NewDisposeScope();
        var fromPt = pt.Tensors.ToDictionary(t => t.Name, t => pt.ReadTorch(t.Name));
        var fromSt = st.Tensors.ToDictionary(t => t.Name, t => st.ReadTorch(t.Name));
        using var ptMemory = new StateDictReader(fromPt, "tensors.pth in memory");
        using var stMemory = new StateDictReader(fromSt, "tensors.safetensors in memory");

        Assert.Equal(st.Tensors, stMemory.Tensors);
        Assert.Equal(st.Tensors, ptMemory.Tensors);
        foreach (var t in st.Tensors)
        {
            byte[] expected = st.ReadBytes(t.Name);
            Assert.Equal(expected, ptMemory.ReadBytes(t.Name));
            Assert.Equal(expected, stMemory.ReadBytes(t.Name));
        }
    }
}
