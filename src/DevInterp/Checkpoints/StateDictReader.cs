using TorchSharp;

namespace DevInterp.Checkpoints;

/// <summary>
/// An in-memory state dict (name → tensor) seen as a checkpoint, so <see cref="Models.StateDictLoader"/> can load it with
/// the same name maps, checks and messages as a file. Holds references to the caller's tensors, which must outlive it.
/// </summary>
internal sealed class StateDictReader : ICheckpointReader
{
    private readonly IReadOnlyDictionary<string, torch.Tensor> _tensors;

    public StateDictReader(IReadOnlyDictionary<string, torch.Tensor> tensors, string path = "state dict")
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _tensors = tensors;
        Path = path;
        var infos = new List<TensorInfo>();
        foreach (var (name, t) in tensors)
        {
            if (t is null) throw new CheckpointFormatException(path, $"tensor '{name}' is null");
            TensorDType dtype;
            try
            {
                dtype = TensorDTypes.FromScalarType(t.dtype);
            }
            catch (NotSupportedException e)
            {
                throw new CheckpointFormatException(path, $"tensor '{name}': {e.Message}", e);
            }
            infos.Add(new TensorInfo(name, dtype, t.shape));
        }
        Tensors = infos;
    }

    public string Path { get; }

    // Nothing is read from disk; the layout (contiguous little-endian values) is the safetensors one.
    public CheckpointFormat Format => CheckpointFormat.Safetensors;

    public IReadOnlyList<TensorInfo> Tensors { get; }

    public IReadOnlyDictionary<string, MetadataValue> Metadata { get; } = new Dictionary<string, MetadataValue>();

    public void ReadInto(string name, Span<byte> destination)
    {
        if (!_tensors.TryGetValue(name, out var t)) throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");
        using var scope = torch.NewDisposeScope();
        var values = t.detach().cpu().contiguous();
        var bytes = values.bytes;
        if (bytes.Length != destination.Length)
            throw new ArgumentException($"{Path}: tensor '{name}' has {bytes.Length} bytes, the destination {destination.Length}", nameof(destination));
        bytes.CopyTo(destination);
    }

    public void ReadRange(string name, long offset, Span<byte> destination)
    {
        if (!_tensors.TryGetValue(name, out var t)) throw new KeyNotFoundException($"{Path}: no tensor named '{PrintableText.Escape(name)}'");
        var info = this.GetTensor(name);
        CheckpointReaderExtensions.CheckRange(info, offset, destination.Length);
        if (destination.IsEmpty) return;
        using var scope = torch.NewDisposeScope();
        int size = info.DType.ByteSize();
        var piece = t.detach().cpu().contiguous().view(-1).narrow(0, offset / size, destination.Length / size);
        piece.bytes.CopyTo(destination);
    }

    public void Dispose() { }
}
