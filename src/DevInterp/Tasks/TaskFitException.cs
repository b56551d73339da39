namespace DevInterp.Tasks;

/// <summary>
/// A task's data do not fit the model (a class index beyond the model's outputs, inputs of the wrong width or kind). The
/// one-line message starts with the data file (or "task" for generated data) and says what to change.
/// </summary>
public sealed class TaskFitException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskFitException(string source, string reason) : base($"{source}: {reason}")
    {
        Source = source;
        Reason = reason;
    }

    /// <summary>The data file at fault, or "task".</summary>
    public new string Source { get; }

    /// <summary>What is wrong, without the source.</summary>
    public string Reason { get; }
}
