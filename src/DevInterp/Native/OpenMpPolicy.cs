using System.Runtime.InteropServices;

namespace DevInterp.Native;

/// <summary>
/// Makes libtorch's OpenMP threads sleep, not spin, between parallel regions (OMP_WAIT_POLICY=PASSIVE) unless the user
/// chose a policy. With the default, idle threads busy-wait for a while after every operation; an LLC step is dozens
/// of short operations, so a second thread spent its time spinning and, on a machine shared with other jobs, took the
/// CPU from the thread doing the work: two threads ran the grokking-sized model 7× slower than one per CPU second
/// (docs/benchmarks.md). libgomp reads the variable once, when libtorch is loaded, so <see cref="Apply"/> must run
/// before the first torch call (the CLI calls it first thing; <see cref="TorchNative.EnsureLoaded"/> calls it too).
/// </summary>
public static class OpenMpPolicy
{
    /// <summary>The variable set.</summary>
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>Sets OMP_WAIT_POLICY=PASSIVE in the process environment when it is unset (Linux; a no-op elsewhere).</summary>
    public static void Apply()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) is not null) return;
        try
        {
            // The native environment, which libgomp reads (Environment.SetEnvironmentVariable changes only .NET's copy).
            setenv(Variable, "PASSIVE", 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: leave the runtime's default.
        }
    }

    [DllImport("libc.so.6", ExactSpelling = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
