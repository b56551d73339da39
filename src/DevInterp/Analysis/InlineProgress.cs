namespace DevInterp.Analysis;

/// <summary>An IProgress that reports synchronously on the caller's thread.</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
