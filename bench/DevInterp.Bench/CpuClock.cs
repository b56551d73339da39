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

    /// <summary>CPU time per thread of this process, busiest first (Linux; empty elsewhere): who else used the CPU.</summary>
    public static IEnumerable<string> Threads()
    {
        string root = $"/proc/{Environment.ProcessId}/task";
        if (!Directory.Exists(root)) yield break;
        var rows = new List<(string Name, long Ticks)>();
        foreach (var dir in Directory.GetDirectories(root))
        {
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                rows.Add((File.ReadAllText(Path.Combine(dir, "comm")).Trim(), long.Parse(fields[11]) + long.Parse(fields[12])));
            }
            catch (IOException)
            {
                // the thread ended
            }
        }
        foreach (var (name, ticks) in rows.Where(r => r.Ticks > 0).OrderByDescending(r => r.Ticks).Take(6))
            yield return $"{name} {ticks / 100.0:F1} s";
    }
}
