using System.Globalization;

namespace DevInterp.Checkpoints;

/// <summary>
/// A scalar that a checkpoint carries beside its tensors: a safetensors <c>__metadata__</c> string, or a number, string
/// or flag stored next to the state dict in a PyTorch checkpoint (epoch, loss, accuracy).
/// </summary>
public abstract record MetadataValue
{
    private MetadataValue() { }

    /// <summary>A text value.</summary>
    public sealed record Text(string Value) : MetadataValue
    {
        /// <inheritdoc />
        public override string ToString() => Value;
    }

    /// <summary>An integer value.</summary>
    public sealed record Integer(long Value) : MetadataValue
    {
        /// <inheritdoc />
        public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A real value.</summary>
    public sealed record Real(double Value) : MetadataValue
    {
        /// <inheritdoc />
        public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>A boolean value.</summary>
    public sealed record Flag(bool Value) : MetadataValue
    {
        /// <inheritdoc />
        public override string ToString() => Value ? "true" : "false";
    }

    /// <summary>The value as a number, when it is one (numeric text such as safetensors' "100" counts).</summary>
    public bool TryGetDouble(out double value)
    {
        switch (this)
        {
            case Integer i: value = i.Value; return true;
            case Real r: value = r.Value; return true;
            case Flag f: value = f.Value ? 1 : 0; return true;
            case Text t: return double.TryParse(t.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
            default: value = 0; return false;
        }
    }

    /// <summary>The value as a whole number, when it is one exactly (e.g. a step).</summary>
    public bool TryGetInt64(out long value)
    {
        switch (this)
        {
            case Integer i: value = i.Value; return true;
            case Real r when r.Value == Math.Floor(r.Value) && Math.Abs(r.Value) < 9e15: value = (long)r.Value; return true;
            case Text t: return long.TryParse(t.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
            default: value = 0; return false;
        }
    }

    /// <summary>The JSON-friendly value: string, long, double or bool.</summary>
    public object Raw => this switch
    {
        Text t => t.Value,
        Integer i => i.Value,
        Real r => r.Value,
        Flag f => f.Value,
        _ => throw new InvalidOperationException(),
    };
}
