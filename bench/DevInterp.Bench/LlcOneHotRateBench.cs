using System.Globalization;
using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using DevInterp.Tasks;
using TorchSharp;

namespace DevInterp.Bench;

/// <summary>
/// LLC sampler throughput on the grokking-sized model of docs/llc.md: modular addition mod 31 with one-hot a and b
/// (62 inputs), 396 training pairs, an MLP 62-256-31 (24,095 parameters), cross-entropy, 8 chains, full batch, float32.
/// Prints chain-steps per second by wall and CPU time, the kernel's share of CPU time and the minor page faults per
/// step, for the full batch and for the batch the automatic rule picks (when that differs), at 1 and 2 torch threads,
/// in alternating blocks (best of BLOCKS per variant). The PyTorch reference is
/// bench/sgld_loop_bench.py's mlp-onehot case. Usage: llc-onehot-rate [STEPS [BLOCKS [ACTIVATION [THREADS...]]]]
/// (LLC_BENCH_SAMPLER=pcnl: the run-level default sampler; LLC_BENCH_BATCH=full or auto: only that batch; LLC_BENCH_MODEL=P,HIDDEN,TRAIN-FRACTION,CHAINS for another size,
/// e.g. 29,112,0.6,4 for the shipped grokking demo with ACTIVATION gelu).
/// </summary>
public static class LlcOneHotRateBench
{
    /// <summary>The benchmark's task: 396 of the 961 pairs mod 31 (train fraction 0.4121), one-hot concatenated.</summary>
    public static ModularTaskSpec Task { get; } = new(31, ModularOperation.Add, 0.4121, Seed: 0);

    /// <summary>Runs the benchmark.</summary>
    public static int Run(string[] args)
    {
        int steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        int blocks = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        string activation = args.Length > 3 ? args[3] : "relu";
        int[] threads = args.Length > 4 ? [.. args[4..].Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [1, 2];
        var model = (Environment.GetEnvironmentVariable("LLC_BENCH_MODEL") ?? "31,256,0.4121,8").Split(',');
        int p = int.Parse(model[0], CultureInfo.InvariantCulture), hidden = int.Parse(model[1], CultureInfo.InvariantCulture);
        int chains = int.Parse(model[3], CultureInfo.InvariantCulture);
        var spec = new MlpSpec([2 * p, hidden, p], activation);
        using var train = (Task with { P = p, TrainFraction = double.Parse(model[2], CultureInfo.InvariantCulture) }).LoadTraining();
        var (data, loss) = train;
        using var module = spec.Build(seed: 1);
        var state = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());
        using var potential = CheckpointPotentials.Create(spec, state, data, loss);
        // LLC_BENCH_SAMPLER=pcnl times the run-level default sampler (same kernels; MALA, the estimator's default, otherwise).
        var sampler = DevInterp.Analysis.LlcSettings.ParseSampler(Environment.GetEnvironmentVariable("LLC_BENCH_SAMPLER") ?? "mala");
        var options = new LlcOptions(Chains: chains, Draws: steps, BurnIn: 0, StepSize: 1e-5, Localization: 100,
            TargetRelativeError: null, MaxDraws: steps, Sampler: sampler);
        long batch = options.ResolveBatchSize(potential.SampleCount, potential.Dimension);
        Console.WriteLine($"# llc-onehot-rate: MLP {2 * p}-{hidden}-{p} {activation}, {potential.Dimension} parameters, n = {potential.SampleCount}, " +
            $"{chains} chains, automatic batch {batch}, {steps} steps per block, best of {blocks} blocks, load average {CpuClock.LoadAverage()}");
        Console.WriteLine("batch, threads, chain_steps_per_s, chain_steps_per_cpu_s, kernel_share, minor_faults_per_step");
        // LLC_BENCH_BATCH=full or auto times only that variant (for profiling).
        string which = Environment.GetEnvironmentVariable("LLC_BENCH_BATCH") ?? "both";
        var batches = batch < potential.SampleCount ? new[] { (int?)null, (int)potential.SampleCount } : [(int?)null];
        if (which == "full") batches = [(int)potential.SampleCount];
        else if (which == "auto") batches = [null];
        var variants = batches
            .SelectMany(b => threads.Select(t => (Batch: b, Threads: t))).ToList();
        var best = variants.ToDictionary(v => v, _ => (Wall: 0.0, Cpu: 0.0, Kernel: 1.0, Faults: double.MaxValue));
        int saved = torch.get_num_threads();
        for (int b = 0; b < blocks; b++)
        {
            foreach (var v in variants)
            {
                torch.set_num_threads(v.Threads);
                var o = options with { BatchSize = v.Batch };
                new LlcEstimator(o with { Draws = 10, MaxDraws = 10 }).Estimate(potential); // warm-up at this thread count
                var start = ProcessTimes.Now();
                var clock = CpuClock.Start();
                new LlcEstimator(o).Estimate(potential);
                var (wall, cpu) = clock.Elapsed();
                var used = ProcessTimes.Now().Since(start);
                double work = chains * (double)steps;
                var old = best[v];
                best[v] = (Math.Max(old.Wall, work / wall.TotalSeconds), Math.Max(old.Cpu, work / cpu.TotalSeconds),
                    Math.Min(old.Kernel, used.KernelFraction), Math.Min(old.Faults, used.MinorFaults / (double)steps));
            }
        }
        torch.set_num_threads(saved);
        foreach (var (v, r) in best)
        {
            string name = v.Batch is null ? $"auto ({batch})" : $"{v.Batch}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}, {v.Threads}, {r.Wall:F0}, {r.Cpu:F0}, {r.Kernel:P1}, {r.Faults:F1}"));
        }
        Console.WriteLine($"# load average at the end {CpuClock.LoadAverage()}; CPU time by thread: {string.Join(", ", CpuClock.Threads())}");
        return 0;
    }
}
