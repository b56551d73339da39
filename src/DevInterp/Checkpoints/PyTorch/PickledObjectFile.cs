using System.Numerics;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// Any object a torch.save file (zip or legacy layout) pickles, unpickled with the same allowlist as checkpoints (no
/// code from the file runs), for reading data rather than weights: tensors, numpy arrays, lists and tuples of numbers,
/// dicts of those. Tensor values are copied out on demand with <see cref="ReadDoubles(TorchTensorRef)"/>.
/// </summary>
internal sealed class PickledObjectFile : IDisposable
{
    private readonly MappedFile _file;
    private readonly LoadedPickle _pickle;

    private PickledObjectFile(MappedFile file, LoadedPickle pickle)
    {
        _file = file;
        _pickle = pickle;
    }

    public string Path => _file.Path;

    /// <summary>The unpickled object (<see cref="PyDict"/>, <see cref="PyList"/>, <see cref="PyTuple"/>, <see cref="TorchTensorRef"/>, numbers ...).</summary>
    public object Root => _pickle.Root;

    /// <exception cref="CheckpointFormatException">Not a torch.save file, corrupt, or a refused pickle global.</exception>
    public static PickledObjectFile Open(string path)
    {
        var file = MappedFile.Open(path);
        try
        {
            var format = CheckpointFile.Detect(file);
            if (format is not (CheckpointFormat.PyTorchZip or CheckpointFormat.PyTorchLegacy))
            {
                throw new CheckpointFormatException(path, format == CheckpointFormat.PyTorchTar
                    ? "tar-layout torch.save file (PyTorch before 0.1.10): re-save it with a current torch.save"
                    : $"not a torch.save file (detected {format})");
            }
            var pickle = format == CheckpointFormat.PyTorchZip ? ZipPyTorchReader.Load(file) : LoadLegacyOrPlain(file);
            return new PickledObjectFile(file, pickle);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A legacy torch.save stream starts with a pickle of its magic number; any other pickle stream is a plain
    /// <c>pickle.dump</c> whose first object is the data (it has no storages, so it cannot hold torch.save tensors).
    /// </summary>
    private static LoadedPickle LoadLegacyOrPlain(MappedFile file)
    {
        var data = file.Span(0, Math.Min(file.Length, int.MaxValue));
        object first = Unpickler.Load(data, new UnpickleContext(file.Path, "pickle"), out _);
        if (first is BigInteger magic && magic == LegacyPyTorchReader.MagicNumber) return LegacyPyTorchReader.Load(file);
        return new LoadedPickle(first, storage => throw new CheckpointFormatException(file.Path, $"plain pickle refers to storage '{storage.Key}'"), false);
    }

    /// <summary>A tensor's values as float64, row-major (integers and flags converted exactly).</summary>
    public double[] ReadDoubles(TorchTensorRef tensor)
    {
        var dtype = tensor.DType;
        if (!dtype.IsSupported() || dtype is TensorDType.Complex64 or TensorDType.Complex128)
            throw new CheckpointFormatException(Path, $"a tensor of dtype {dtype.TorchName()} cannot be read as numbers");
        var storage = tensor.Storage;
        var bytes = _pickle.Bind(storage);
        if (storage.ByteOffset > bytes.Length || storage.ByteLength > bytes.Length - storage.ByteOffset)
            throw new CheckpointFormatException(Path, $"storage '{storage.Key}' needs {storage.ByteOffset + storage.ByteLength} bytes but the file holds {bytes.Length} (truncated or corrupt)");
        long count = tensor.ElementCount;
        if (count > Array.MaxLength / 8) throw new CheckpointFormatException(Path, $"a tensor of {count} elements is too large to read as data");
        int size = dtype.ByteSize();
        var raw = new byte[count * size];
        StridedCopy.Copy(bytes, tensor.BaseByteOffset, tensor.Shape, tensor.Stride, size, raw);
        if (_pickle.BigEndian) StridedCopy.SwapBytes(raw, size);
        var result = new double[count];
        CheckpointReaderExtensions.ConvertToDoubles(dtype, raw, result);
        return result;
    }

    /// <summary>A numpy array's values as float64, row-major.</summary>
    public double[] ReadDoubles(NumpyArray array, out long[] shape)
    {
        shape = new long[array.Shape.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            if (!PyTypes.TryGetInt64(array.Shape.Items[i], out shape[i]) || shape[i] < 0)
                throw new CheckpointFormatException(Path, $"numpy array with an invalid shape entry {PyTypes.Name(array.Shape.Items[i])}");
        }
        var dt = array.DType ?? throw new CheckpointFormatException(Path, "numpy array without a dtype");
        if (array.Data is not byte[] data)
            throw new CheckpointFormatException(Path, $"numpy array of dtype '{dt.Code}' holds {PyTypes.Name(array.Data)} instead of raw bytes (object arrays cannot be read)");
        BigInteger count = 1;
        foreach (long d in shape) count *= d;
        int itemSize = dt.ItemSize;
        if (itemSize < 1 || count * itemSize != data.Length)
            throw new CheckpointFormatException(Path, $"numpy array [{string.Join(", ", shape)}] of dtype '{dt.Code}' needs {count * itemSize} bytes, holds {data.Length}");
        if (!NumericBytes.TryToDoubles(dt.Kind, itemSize, dt.ByteOrder == '>', data, out var values))
            throw new CheckpointFormatException(Path, $"numpy array of dtype '{dt.Code}' is not numeric (readable: {NumericBytes.Supported})");
        return array.FortranOrder ? NumericBytes.FortranToRowMajor(values, shape) : values;
    }

    public void Dispose() => _file.Dispose();
}
