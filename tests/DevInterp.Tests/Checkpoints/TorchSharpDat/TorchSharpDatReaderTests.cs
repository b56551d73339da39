using DevInterp.Checkpoints;
using DevInterp.Checkpoints.TorchSharpDat;
using TorchSharp;
using static TorchSharp.torch;

namespace DevInterp.Tests.Checkpoints.TorchSharpDat;

/// <summary>
/// TorchSharp state dicts: the reference file bug510.dat from dotnet/TorchSharp's tests, checked against TorchSharp's
/// own loader, and files written here by TorchSharp's Module.save.
/// </summary>
public class TorchSharpDatReaderTests
{
    private static readonly string[] Bug510Names =
        ["stack.0.weight", "stack.1.weight", "stack.1.bias", "stack.1.running_mean", "stack.1.running_var", "stack.1.num_batches_tracked"];

    [Fact]
    public void Bug510ListsItsSixEntries()
    {
        string path = TestPaths.External("torchsharp/bug510.dat");
        Assert.Equal(CheckpointFormat.TorchSharpDat, CheckpointFile.Detect(path));
        using var reader = CheckpointFile.Open(path);
        Assert.Equal(CheckpointFormat.TorchSharpDat, reader.Format);
        Assert.Equal(
            [
                new TensorInfo("stack.0.weight", TensorDType.Float32, [32, 1, 3]),
                new TensorInfo("stack.1.weight", TensorDType.Float32, [32]),
                new TensorInfo("stack.1.bias", TensorDType.Float32, [32]),
                new TensorInfo("stack.1.running_mean", TensorDType.Float32, [32]),
                new TensorInfo("stack.1.running_var", TensorDType.Float32, [32]),
                new TensorInfo("stack.1.num_batches_tracked", TensorDType.Int64, []),
            ],
            reader.Tensors);
        Assert.Empty(reader.Metadata);
        // First weight: bytes A8 43 44 BE right after the header (an independent Python parse prints -0.19166434).
        Assert.Equal(BitConverter.Int32BitsToSingle(unchecked((int)0xBE4443A8)), (float)reader.ReadDoubles("stack.0.weight")[0]);
        Assert.Equal(-0.19166434, reader.ReadDoubles("stack.0.weight")[0], 1e-8);
    }

    [Fact]
    public void Bug510MatchesTorchSharpsOwnLoaderBitForBit()
    {
        using var scope = NewDisposeScope();
        string path = TestPaths.External("torchsharp/bug510.dat");
        // bug510.py's BasicConv1d(1, 32): Sequential(Conv1d(1, 32, 3, bias=False), BatchNorm1d(32), ReLU) under "stack".
        var model = nn.Sequential(("stack", nn.Sequential(nn.Conv1d(1, 32, 3, bias: false), nn.BatchNorm1d(32), nn.ReLU())));
        model.load(path); // strict: names, dtypes and shapes must all match
        var expected = model.state_dict();

        using var reader = CheckpointFile.Open(path);
        Assert.Equal(expected.Keys, reader.Tensors.Select(t => t.Name));
        foreach (var (name, tensor) in expected)
        {
            var info = reader.GetTensor(name);
            Assert.Equal(tensor.shape, info.Shape);
            Assert.Equal(tensor.dtype, info.DType.ToScalarType());
            Assert.Equal(tensor.contiguous().bytes.ToArray(), reader.ReadBytes(name));
        }
        // Initialisation (not training) values: BatchNorm starts with weight 1, bias 0, mean 0, var 1, no batches.
        Assert.All(reader.ReadDoubles("stack.1.weight"), v => Assert.Equal(1.0, v));
        Assert.All(reader.ReadDoubles("stack.1.running_var"), v => Assert.Equal(1.0, v));
        Assert.Equal([0.0], reader.ReadDoubles("stack.1.num_batches_tracked"));
    }

    [Fact]
    public void ModuleSaveWithBFloat16AndFloat64ReadsBack()
    {
        using var scope = NewDisposeScope();
        var lin = nn.Linear(3, 2);
        lin.to(ScalarType.BFloat16);
        var norm = nn.BatchNorm1d(2);
        var head = nn.Linear(2, 300); // 300 > 127: multi-byte LEB128 dimension
        head.to(ScalarType.Float64);
        var model = nn.Sequential(("lin", lin), ("norm", norm), ("head", head));
        using (no_grad())
        {
            lin.weight!.copy_(tensor(new float[] { 1.5f, -2.5f, 3.5f, 0.25f, -0.125f, 1f }).reshape(2, 3));
            norm.num_batches_tracked!.fill_(12345);
        }
        string path = Path.Combine(TestPaths.NewTempDir(), "mixed.dat");
        model.save(path);

        using var reader = CheckpointFile.Open(path);
        Assert.Equal(CheckpointFormat.TorchSharpDat, reader.Format);
        var sd = model.state_dict();
        Assert.Equal(sd.Keys, reader.Tensors.Select(t => t.Name));
        foreach (var (name, t) in sd)
        {
            Assert.Equal(TensorDTypes.FromScalarType(t.dtype), reader.GetTensor(name).DType);
            Assert.Equal(t.shape, reader.GetTensor(name).Shape);
            Assert.Equal(t.contiguous().bytes.ToArray(), reader.ReadBytes(name));
        }
        Assert.Equal(TensorDType.BFloat16, reader.GetTensor("lin.weight").DType);
        Assert.Equal([1.5, -2.5, 3.5, 0.25, -0.125, 1], reader.ReadDoubles("lin.weight"));
        Assert.Equal(new TensorInfo("head.weight", TensorDType.Float64, [300, 2]), reader.GetTensor("head.weight"));
        Assert.Equal([12345.0], reader.ReadDoubles("norm.num_batches_tracked"));
        using var f32 = reader.ReadTorch("lin.weight", ScalarType.Float32);
        Assert.Equal([1.5f, -2.5f, 3.5f, 0.25f, -0.125f, 1f], f32.data<float>().ToArray());
    }

    [Fact]
    public void OurWriterProducesFilesTorchSharpLoads()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var source = nn.Sequential(("a", nn.Linear(4, 3)), ("b", nn.BatchNorm1d(3)));
        string path = Path.Combine(TestPaths.NewTempDir(), "ours.dat");
        TorchSharpDatWriter.Write(path, source.state_dict());

        var target = nn.Sequential(("a", nn.Linear(4, 3)), ("b", nn.BatchNorm1d(3)));
        target.load(path);
        foreach (var (name, t) in source.state_dict())
            Assert.Equal(t.bytes.ToArray(), target.state_dict()[name].bytes.ToArray());
        Assert.Equal(File.ReadAllBytes(path), SaveWithTorchSharp(source));
    }

    [Fact]
    public void EveryDTypeRoundTripsThroughOurWriterIncludingEmptyTensors()
    {
        var random = new Random(99);
        var tensors = new List<(TensorInfo, ReadOnlyMemory<byte>)>();
        foreach (var dtype in TensorDTypes.Supported)
        {
            foreach (var shape in new long[][] { [2, 3], [], [0] })
            {
                var info = new TensorInfo($"{dtype}.{shape.Length}", dtype, shape);
                var data = new byte[info.ByteCount];
                random.NextBytes(data);
                if (dtype == TensorDType.Bool) for (int i = 0; i < data.Length; i++) data[i] &= 1;
                tensors.Add((info, data));
            }
        }
        string path = Path.Combine(TestPaths.NewTempDir(), "all.dat");
        TorchSharpDatWriter.Write(path, tensors);
        using var reader = CheckpointFile.Open(path);
        Assert.Equal(tensors.Select(t => t.Item1), reader.Tensors);
        foreach (var (info, data) in tensors) Assert.Equal(data.ToArray(), reader.ReadBytes(info.Name));
    }

    [Fact]
    public void ElementTypeCodesAreTorchSharpsScalarTypeValues()
    {
        foreach (var dtype in TensorDTypes.Supported)
            Assert.Equal((int)dtype.ToScalarType(), TorchSharpElementTypes.Code(dtype));
        Assert.Equal((int)ScalarType.ComplexFloat32, TorchSharpElementTypes.Code(TensorDType.Complex64));
        Assert.Equal((int)ScalarType.ComplexFloat64, TorchSharpElementTypes.Code(TensorDType.Complex128));
    }

    [Fact]
    public void AnEmptyStateDictIsTheSingleByteZero()
    {
        using var scope = NewDisposeScope();
        byte[] bytes = SaveWithTorchSharp(nn.ReLU());
        Assert.Equal(new byte[] { 0 }, bytes);
        string path = Path.Combine(TestPaths.NewTempDir(), "empty.dat");
        File.WriteAllBytes(path, bytes);
        using var reader = CheckpointFile.Open(path);
        Assert.Equal(CheckpointFormat.TorchSharpDat, reader.Format);
        Assert.Empty(reader.Tensors);
    }

    [Fact]
    public void StateDictOf256EntriesIsNotMistakenForAPickle()
    {
        // A count of 256 is LEB128 0x80 0x02, the same two bytes as a protocol-2 pickle.
        var tensors = Enumerable.Range(0, 256)
            .Select(i => (new TensorInfo($"layers.{i}.scale", TensorDType.Float32, [1]), (ReadOnlyMemory<byte>)BitConverter.GetBytes((float)i)))
            .ToList();
        string path = Path.Combine(TestPaths.NewTempDir(), "many.dat");
        TorchSharpDatWriter.Write(path, tensors);
        Assert.Equal(new byte[] { 0x80, 0x02 }, File.ReadAllBytes(path)[..2]);
        Assert.Equal(CheckpointFormat.TorchSharpDat, CheckpointFile.Detect(path));
        using var reader = CheckpointFile.Open(path);
        Assert.Equal(256, reader.Tensors.Count);
        Assert.Equal([255.0], reader.ReadDoubles("layers.255.scale"));
        // And a real legacy pickle is still a pickle.
        Assert.Equal(CheckpointFormat.PyTorchLegacy,
            CheckpointFile.Detect(TestPaths.External("burn/src/pytorch/tests/reader/test_data/simple_legacy.pt")));
    }

    private static byte[] SaveWithTorchSharp(nn.Module module)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "module.dat");
        module.save(path);
        return File.ReadAllBytes(path);
    }
}
