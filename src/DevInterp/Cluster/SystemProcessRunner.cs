using System.ComponentModel;
using System.Diagnostics;

namespace DevInterp.Cluster;

/// <summary>Runs real programs with the process's environment (so <c>SLURM_CONF</c> and the PATH apply as in a shell).</summary>
/// <param name="Timeout">How long one command may take before it is killed (Slurm's clients retry an unreachable controller for a while).</param>
public sealed record SystemProcessRunner(TimeSpan Timeout) : IProcessRunner
{
    /// <summary>A runner with a two-minute limit per command.</summary>
    public SystemProcessRunner() : this(TimeSpan.FromMinutes(2)) { }

    /// <inheritdoc />
    public ProcessResult Run(string program, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            return new ProcessResult(127, "", $"{program}: {e.Message}", NotFound: true);
        }
        using (process)
        {
            // Both streams are drained at once: a child that fills one pipe while we wait on the other would hang.
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return new ProcessResult(124, output.Result, $"{program} did not answer within {Timeout.TotalSeconds:F0} s (killed)");
            }
            process.WaitForExit(); // flushes the redirected streams
            return new ProcessResult(process.ExitCode, output.Result, error.Result);
        }
    }
}
