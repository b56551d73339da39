namespace DevInterp.Init;

/// <summary>
/// A field <c>devinterp init</c> could not infer from the run: the file is written with the placeholder
/// <c>"CHOOSE: a | b | c"</c> in that field, which the spec readers reject with a message naming the field until it is
/// replaced by one of the options.
/// </summary>
/// <param name="File">The file name (model.json, task.json, names.json).</param>
/// <param name="Field">The field to fill in.</param>
/// <param name="Options">The values to choose from.</param>
/// <param name="Reason">Why it could not be inferred.</param>
public sealed record SetupChoice(string File, string Field, IReadOnlyList<string> Options, string Reason)
{
    /// <summary>The prefix of every placeholder value.</summary>
    public const string Marker = "CHOOSE:";

    /// <summary>The placeholder written into the field.</summary>
    public string Placeholder => $"{Marker} {string.Join(" | ", Options)}";
}
