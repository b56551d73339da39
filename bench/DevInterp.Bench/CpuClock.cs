using System.Diagnostics;

namespace DevInterp.Bench;

/// <summary>
/// Wall-clock and process CPU time since start. On a machine shared with other jobs, CPU time (all of this process's
/// threads, so GC and finalizers count) is the steadier measure of the work done; wall time is what a user waits.
/// </summary>
internal sealed class CpuClock
{
    private readonly Stopwatch _wall;
    private readonly TimeSpan _cpu;

    private CpuClock()
    {
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        _wall = Stopwatch.StartNew();
    }

    /// <summary>Starts a clock.</summary>
    public static CpuClock Start() => new();

    /// <summary>Wall and CPU time elapsed.</summary>
    public (TimeSpan Wall, TimeSpan Cpu) Elapsed()
    {
        var wall = _wall.Elapsed;
        return (wall, Process.GetCurrentProcess().TotalProcessorTime - _cpu);
    }

    /// <summary>The 1-, 5- and 15-minute load averages (Linux), or "?" elsewhere.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
