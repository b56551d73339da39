namespace DevInterp.Cli.Commands;

/// <summary>What the per-checkpoint run commands (llc, similarity, dynamics) do after their pass.</summary>
internal static class RunAnalysisReport
{
    /// <summary>Prints each failed checkpoint to standard error; returns exit code 3 when any failed, else 0.</summary>
    public static int Failures(CliContext context, IReadOnlyList<(long Step, string Error)> failed)
    {
        foreach (var (step, error) in failed) context.Err.WriteLine($"error: step {step}: {error}");
        return failed.Count > 0 ? ExitCodes.PartialFailure : ExitCodes.Success;
    }
}
