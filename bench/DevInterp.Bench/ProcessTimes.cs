namespace DevInterp.Bench;

/// <summary>
/// This process's user and kernel CPU time and minor page faults from /proc/self/stat (Linux; zeros elsewhere): kernel
/// time and page faults per step show allocation churn (fresh memory is zeroed by the kernel on first touch).
/// </summary>
internal readonly record struct ProcessTimes(double UserSeconds, double KernelSeconds, long MinorFaults)
{
    /// <summary>The counters now.</summary>
    public static ProcessTimes Now()
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ", field 3 is f[0]: minflt is field 10 (f[7]), utime 14 (f[11]), stime 15 (f[12]).
            return new ProcessTimes(long.Parse(f[11]) / 100.0, long.Parse(f[12]) / 100.0, long.Parse(f[7]));
        }
        catch (IOException)
        {
            return default;
        }
    }

    /// <summary>The counters accumulated since <paramref name="start"/>.</summary>
    public ProcessTimes Since(ProcessTimes start) =>
        new(UserSeconds - start.UserSeconds, KernelSeconds - start.KernelSeconds, MinorFaults - start.MinorFaults);

    /// <summary>Kernel time as a fraction of all CPU time.</summary>
    public double KernelFraction => UserSeconds + KernelSeconds > 0 ? KernelSeconds / (UserSeconds + KernelSeconds) : 0;
}
