namespace DevInterp.Cli.Commands;

/// <summary>What the per-checkpoint run commands (analyze, llc, similarity, dynamics) do after their pass.</summary>
internal static class RunAnalysisReport
{
    /// <summary>
    /// Prints each failed checkpoint to standard error and returns exit code 3 when some failed and the rest succeeded
    /// (0 when none failed). When every one of the <paramref name="checkpoints"/> failed, the run as a whole failed:
    /// one line (the shared reason once, when they all failed alike) and exit code 2.
    /// </summary>
    public static int Failures(CliContext context, IReadOnlyList<(long Step, string Error)> failed, int checkpoints)
    {
        if (failed.Count == 0) return ExitCodes.Success;
        int failedSteps = failed.Select(f => f.Step).Distinct().Count();
        if (failedSteps >= checkpoints)
        {
            var reasons = failed.Select(f => WithoutFile(f.Error)).Distinct().ToList();
            string why = reasons.Count == 1
                ? $"every checkpoint failed ({checkpoints}) for the same reason: {failed[0].Error}"
                : $"every checkpoint failed ({checkpoints}); the first, step {failed[0].Step}: {failed[0].Error} (each one's error is in the checkpoints table)";
            context.Err.WriteLine($"error: {Checkpoints.PrintableText.OneLine(why)}");
            return ExitCodes.BadInput;
        }
        foreach (var (step, error) in failed) context.Err.WriteLine($"error: step {step}: {Checkpoints.PrintableText.OneLine(error)}");
        return ExitCodes.PartialFailure;
    }

    // The reason without the file it names first ("step_000097.safetensors: truncated" and "step_000098...: truncated"
    // are the same reason).
    private static string WithoutFile(string error)
    {
        int colon = error.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && !error[..colon].Contains(' ') ? error[(colon + 2)..] : error;
    }
}
