using System.Diagnostics;
using System.Globalization;
using DevInterp.Similarity.Steps;
using TorchSharp;

namespace DevInterp.Bench;

/// <summary>
/// Stopwatch benchmark of the step × step linear CKA matrix (BenchmarkDotNet would repeat a 10 s+ run many times):
/// T checkpoints of n probes × d features, a drifting random representation X_t = X_{t−1} + 0.05·noise. Times
/// <see cref="StepSimilarityAccumulator"/> (Add of every checkpoint, then Result) and, for comparison, the naive
/// pairwise loop that forms both centered n × n Gram matrices for every pair, timed on a few pairs and extrapolated
/// to all T(T+1)/2 pairs. Reports peak resident memory (VmHWM) and the agreement of the two on the timed pairs.
/// </summary>
public static class CkaStepMatrixBench
{
    public static int Run(string[] args)
    {
        int t = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        int n = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2048;
        int d = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 512;
        int naivePairs = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 6;
        int block = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : new StepSimilarityOptions().GramBlockSize;
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"cka-step-matrix: T={t} n={n} d={d}, Gram block {block}, torch threads {torch.get_num_threads()}, load average {LoadAverage()}"));

        torch.manual_seed(1);
        var acc = new StepSimilarityAccumulator(new StepSimilarityOptions(GramBlockSize: block));
        var addTime = new Stopwatch();
        var addCpu = TimeSpan.Zero;
        var generate = Stopwatch.StartNew();
        var x = torch.randn(n, d, torch.float64);
        using var noise = torch.empty(n, d, torch.float64);
        var kept = new List<torch.Tensor>(); // the naive loop's checkpoints (a few only)
        var naiveIndex = Enumerable.Range(0, naivePairs + 1).Select(i => (int)((long)i * (t - 1) / Math.Max(1, naivePairs))).ToHashSet();
        for (int step = 0; step < t; step++)
        {
            if (step > 0) x.add_(noise.normal_(), alpha: 0.05); // in place: no per-step allocation
            if (naiveIndex.Contains(step)) kept.Add(x.clone());
            generate.Stop();
            addTime.Start();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            acc.Add(step * 100L, x);
            addCpu += Process.GetCurrentProcess().TotalProcessorTime - cpu0;
            addTime.Stop();
            generate.Start();
        }
        generate.Stop();
        x.Dispose();
        double afterAdd = ResidentMb("VmRSS:");

        var resultCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var resultTime = Stopwatch.StartNew();
        var result = acc.Result();
        resultTime.Stop();
        var resultCpu = Process.GetCurrentProcess().TotalProcessorTime - resultCpu0;
        double engineSeconds = addTime.Elapsed.TotalSeconds + resultTime.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(inv,
            $"engine: route {result.Route}, Add total {addTime.Elapsed.TotalSeconds:F2} s, Result {resultTime.Elapsed.TotalSeconds:F2} s, engine total {engineSeconds:F2} s (data generation {generate.Elapsed.TotalSeconds:F2} s excluded)"));
        Console.WriteLine(string.Create(inv,
            $"CPU time: Add {addCpu.TotalSeconds:F2} s, Result {resultCpu.TotalSeconds:F2} s ({resultCpu.TotalSeconds / resultTime.Elapsed.TotalSeconds:F2} cores busy on average during Result)"));
        Console.WriteLine(string.Create(inv,
            $"resident memory: {afterAdd:F0} MB after Add (stored factors {(double)t * n * Math.Min(n, d) * 8 / 1048576:F0} MB), peak (VmHWM) {ResidentMb("VmHWM:"):F0} MB"));
        var adjacent = result.LinearCka.Adjacent().Values;
        Console.WriteLine(string.Create(inv,
            $"linear CKA: adjacent mean {adjacent.Average():F6}, first vs final {result.LinearCka.Values[0, t - 1]:F6}; debiased first vs final {result.DebiasedCka!.Values[0, t - 1]:F6}"));

        // Naive pairwise loop: both centered Gram matrices per pair, HSIC = ⟨HKH, HLH⟩.
        var idx = naiveIndex.Order().ToArray();
        var naive = Stopwatch.StartNew();
        double maxDiff = 0;
        int pairs = 0;
        for (int p = 0; p + 1 < kept.Count; p++)
        {
            double v = NaiveCka(kept[p], kept[p + 1]);
            maxDiff = Math.Max(maxDiff, Math.Abs(v - result.LinearCka.Values[idx[p], idx[p + 1]]));
            pairs++;
        }
        naive.Stop();
        double perPair = naive.Elapsed.TotalSeconds / pairs;
        double allPairs = perPair * t * (t + 1) / 2.0;
        Console.WriteLine(string.Create(inv,
            $"naive: {perPair * 1000:F0} ms per pair over {pairs} pairs, extrapolated to {t * (t + 1) / 2} pairs: {allPairs:F0} s ({allPairs / 3600:F2} h); engine speed-up ×{allPairs / engineSeconds:F0}"));
        Console.WriteLine(string.Create(inv, $"max |engine − naive| over the timed pairs: {maxDiff:E2}"));
        foreach (var k in kept) k.Dispose();
        return 0;
    }

    private static double NaiveCka(torch.Tensor a, torch.Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        var k = Center(a.matmul(a.t()));
        var l = Center(b.matmul(b.t()));
        double kl = k.mul(l).sum().item<double>();
        return kl / Math.Sqrt(k.square().sum().item<double>() * l.square().sum().item<double>());
    }

    private static torch.Tensor Center(torch.Tensor g) => g - g.mean([0], keepdim: true) - g.mean([1], keepdim: true) + g.mean();

    private static double ResidentMb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        return double.NaN;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
