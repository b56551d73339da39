namespace DevInterp.Models;

/// <summary>
/// A model, task or training spec that cannot be used, with the spec kind, the field and what was expected in a
/// one-line message ("model spec field 'widths': expected at least 2 entries, got 1").
/// </summary>
public class SpecFormatException : Exception
{
    /// <summary>Creates the exception for a spec kind ("model spec"), a field and a reason.</summary>
    public SpecFormatException(string spec, string field, string reason, Exception? inner = null)
        : this(null, spec, field, reason, inner)
    {
    }

    private SpecFormatException(string? source, string spec, string field, string reason, Exception? inner)
        : base((source is null ? "" : source + ": ") + $"{spec} field '{field}': {reason}", inner)
    {
        Source = source;
        Spec = spec;
        Field = field;
        Reason = reason;
    }

    /// <summary>The file the spec was read from, when known.</summary>
    public new string? Source { get; }

    /// <summary>Which kind of spec ("model spec", "task spec", "training settings").</summary>
    public string Spec { get; }

    /// <summary>The offending field, as a dotted path inside the spec.</summary>
    public string Field { get; }

    /// <summary>What was wrong, without the spec and field.</summary>
    public string Reason { get; }

    /// <summary>The same error, prefixed with the file it came from.</summary>
    public SpecFormatException WithSource(string path) => new(path, Spec, Field, Reason, this);
}
