using System.Diagnostics;
using System.Globalization;
using DevInterp.Checkpoints;
using DevInterp.Runs;
using TorchSharp;

namespace DevInterp.Bench;

/// <summary>
/// The quick harness: the same open-and-read loop as <see cref="CheckpointReadBenchmarks"/>, timed with a Stopwatch
/// (median of REPS after a warm-up), with opening and reading the tensors timed apart so the fixed cost of a small
/// file is visible. Takes seconds instead of BenchmarkDotNet's minutes, so it can run back to back with
/// bench/torch_load_bench.py at the same load. Usage: checkpoint-read-quick DIR [REPS [RUN-REPS]]
/// </summary>
public static class CheckpointReadQuickBench
{
    /// <summary>Runs the harness and prints one line per file and one for the 1,000-checkpoint run.</summary>
    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: DevInterp.Bench checkpoint-read-quick DIR [REPS [RUN-REPS]]");
            return 1;
        }
        string dir = Path.GetFullPath(args[1]);
        int reps = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;
        int runReps = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 7;
        torch.set_num_threads(1);
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("file, bytes, median_ms, open_ms, read_ms, mb_per_s");
        foreach (string file in CheckpointReadBenchmarks.Files())
        {
            string path = Path.Combine(dir, file);
            long bytes = new FileInfo(path).Length;
            // Fewer repetitions of the big files: each takes milliseconds and the medians settle quickly.
            int n = bytes > 50_000_000 ? Math.Max(5, reps / 20) : bytes > 5_000_000 ? Math.Max(10, reps / 4) : reps;
            var total = new double[n];
            var open = new double[n];
            for (int i = -3; i < n; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                using var reader = CheckpointFile.Open(path);
                long t1 = Stopwatch.GetTimestamp();
                foreach (var info in reader.Tensors)
                {
                    using var t = reader.ReadTorch(info.Name);
                }
                long t2 = Stopwatch.GetTimestamp();
                if (i < 0) continue; // warm-up: page cache, JIT, allocator
                total[i] = Stopwatch.GetElapsedTime(t0, t2).TotalMilliseconds;
                open[i] = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            }
            double ms = Median(total), openMs = Median(open);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{file}, {bytes}, {ms:F3}, {openMs:F3}, {ms - openMs:F3}, {bytes / 1e6 / (ms / 1e3):F0}"));
        }

        string runDir = Path.Combine(dir, "run_1000");
        var runTimes = new double[runReps];
        for (int i = -1; i < runReps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            long elements = new RunIterationBenchmarks().ReplayThousandCheckpointsIn(runDir);
            if (elements == 0) throw new InvalidOperationException("the run holds no tensors");
            if (i >= 0) runTimes[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        double runMs = Median(runTimes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run_1000 (1,000 checkpoints), -, {runMs:F1}, -, -, {1000 / (runMs / 1e3):F0} checkpoints/s"));
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    /// <summary>
    /// Opens and reads one file N times with nothing else in the process's hot path, for a profiler
    /// (<c>DOTNET_PerfMapEnabled=1 perf record -g</c>). Usage: checkpoint-read-loop FILE [N]
    /// </summary>
    public static int Loop(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: DevInterp.Bench checkpoint-read-loop FILE [N]");
            return 1;
        }
        int n = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100_000;
        torch.set_num_threads(1);
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++)
        {
            using var reader = CheckpointFile.Open(args[1]);
            foreach (var info in reader.Tensors)
            {
                using var t = reader.ReadTorch(info.Name);
            }
        }
        double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n} reads, {ms / n:F4} ms each (load average {File.ReadAllText("/proc/loadavg").Trim()})"));
        return 0;
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
