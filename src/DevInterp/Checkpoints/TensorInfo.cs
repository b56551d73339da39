namespace DevInterp.Checkpoints;

/// <summary>Name, element type and shape of one tensor in a checkpoint; the values are read on demand.</summary>
public sealed record TensorInfo(string Name, TensorDType DType, IReadOnlyList<long> Shape)
{
    /// <summary>Number of elements (1 for a 0-dimensional tensor).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Shape) n = checked(n * d);
            return n;
        }
    }

    /// <summary>Bytes of the contiguous values.</summary>
    public long ByteCount => checked(ElementCount * DType.ByteSize());

    /// <summary>Shape as PyTorch prints it, e.g. [3, 4].</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    /// <inheritdoc />
    public bool Equals(TensorInfo? other) =>
        other is not null && Name == other.Name && DType == other.DType && Shape.SequenceEqual(other.Shape);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, DType, Shape.Count);
}
