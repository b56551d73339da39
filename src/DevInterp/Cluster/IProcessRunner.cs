namespace DevInterp.Cluster;

/// <summary>What a finished program printed and returned.</summary>
/// <param name="ExitCode">The exit code (127 when the program was not found).</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error (or why the program could not be started).</param>
/// <param name="NotFound">The program is not on the PATH (or not executable).</param>
public sealed record ProcessResult(int ExitCode, string Output, string Error, bool NotFound = false)
{
    /// <summary>The first non-empty line of standard error, else of standard output: what a one-line error quotes.</summary>
    public string FirstErrorLine =>
        (Error + "\n" + Output).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? $"exit code {ExitCode}";
}

/// <summary>
/// Runs a program to completion and returns what it printed: the one seam between the Slurm code and the cluster's
/// commands (sbatch, squeue, sacct, scancel), so that everything above it is tested with a scripted fake.
/// </summary>
public interface IProcessRunner
{
    /// <summary>Runs <paramref name="program"/> (looked up on the PATH) with <paramref name="arguments"/>, each passed as one word.</summary>
    ProcessResult Run(string program, IReadOnlyList<string> arguments);
}
