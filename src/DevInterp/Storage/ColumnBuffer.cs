using Apache.Arrow;
using Apache.Arrow.Types;

namespace DevInterp.Storage;

/// <summary>Collects the values of one column and builds its Arrow array; can copy cells from another array.</summary>
internal abstract class ColumnBuffer
{
    public int Count { get; protected set; }

    public abstract void AppendNull();

    /// <summary>Appends cell <paramref name="index"/> of <paramref name="source"/> (null when the source is null: an absent extra column).</summary>
    public abstract void AppendFrom(IArrowArray? source, int index);

    public abstract IArrowArray Build();

    public static IArrowType ArrowType(ColumnKind kind) => kind switch
    {
        ColumnKind.Int64 => Int64Type.Default,
        ColumnKind.Float64 => DoubleType.Default,
        ColumnKind.Utf8 => StringType.Default,
        ColumnKind.Boolean => BooleanType.Default,
        ColumnKind.Float64List => new ListType(DoubleType.Default),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown column kind"),
    };

    public static ColumnBuffer Create(ColumnKind kind) => kind switch
    {
        ColumnKind.Int64 => new Int64Buffer(),
        ColumnKind.Float64 => new Float64Buffer(),
        ColumnKind.Utf8 => new Utf8Buffer(),
        ColumnKind.Boolean => new BooleanBuffer(),
        ColumnKind.Float64List => new Float64ListBuffer(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown column kind"),
    };
}

internal sealed class Int64Buffer : ColumnBuffer
{
    private readonly Int64Array.Builder _b = new();
    public void Append(long? value) { if (value is { } v) _b.Append(v); else _b.AppendNull(); Count++; }
    public override void AppendNull() => Append(null);
    public override void AppendFrom(IArrowArray? source, int index) => Append(source is null ? null : ((Int64Array)source).GetValue(index));
    public override IArrowArray Build() => _b.Build();
}

internal sealed class Float64Buffer : ColumnBuffer
{
    private readonly DoubleArray.Builder _b = new();
    public void Append(double? value) { if (value is { } v) _b.Append(v); else _b.AppendNull(); Count++; }
    public override void AppendNull() => Append(null);
    public override void AppendFrom(IArrowArray? source, int index) => Append(source is null ? null : ((DoubleArray)source).GetValue(index));
    public override IArrowArray Build() => _b.Build();
}

internal sealed class Utf8Buffer : ColumnBuffer
{
    private readonly StringArray.Builder _b = new();
    public void Append(string? value) { if (value is not null) _b.Append(value); else _b.AppendNull(); Count++; }
    public override void AppendNull() => Append(null);
    public override void AppendFrom(IArrowArray? source, int index) =>
        Append(source is null || source.IsNull(index) ? null : ((StringArray)source).GetString(index));
    public override IArrowArray Build() => _b.Build();
}

internal sealed class BooleanBuffer : ColumnBuffer
{
    private readonly BooleanArray.Builder _b = new();
    public void Append(bool? value) { if (value is { } v) _b.Append(v); else _b.AppendNull(); Count++; }
    public override void AppendNull() => Append(null);
    public override void AppendFrom(IArrowArray? source, int index) => Append(source is null ? null : ((BooleanArray)source).GetValue(index));
    public override IArrowArray Build() => _b.Build();
}

internal sealed class Float64ListBuffer : ColumnBuffer
{
    private readonly ListArray.Builder _b = new(DoubleType.Default);
    private DoubleArray.Builder Values => (DoubleArray.Builder)_b.ValueBuilder;

    public void Append(IReadOnlyList<double>? values)
    {
        if (values is null) _b.AppendNull();
        else
        {
            _b.Append();
            foreach (double v in values) Values.Append(v);
        }
        Count++;
    }

    public override void AppendNull() => Append(null);
    public override void AppendFrom(IArrowArray? source, int index) => Append(source is null ? null : ArrowCells.DoubleList(source, index));
    public override IArrowArray Build() => _b.Build();
}
