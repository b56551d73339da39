namespace DevInterp.Tests;

/// <summary>
/// Tests that read or set TorchSharp's process-wide state (the global generator) run in this collection, alone, so a
/// test running in parallel cannot draw from the generator between their seed and their check.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchState
{
    /// <summary>The collection name.</summary>
    public const string Name = "global torch state";
}
