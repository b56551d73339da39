using System.Globalization;
using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using DevInterp.Llc.Samplers;
using TorchSharp;

namespace DevInterp.Bench;

/// <summary>
/// Where an LLC sampler step's time goes, for the models of <see cref="LlcStepRateBench"/> at 8 chains, batch 256,
/// single thread: microseconds and tensors created (a proxy for native calls) per call of each piece of a step — the
/// minibatch indices, the gradient at the chains, the gradient (or loss) at w* on the same batch, the noise, the
/// sampler update — and of a whole estimator step; the fastest of five blocks of STEPS calls. Usage: llc-profile [STEPS] [MODEL]
/// </summary>
public static class LlcProfileBench
{
    private const int Blocks = 5;

    /// <summary>Runs the profile and prints one line per model and piece.</summary>
    public static int Run(string[] args)
    {
        int steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        torch.set_num_threads(1);
        const int chains = 8, batch = 256;
        Console.WriteLine("model, piece, wall_us_per_call, cpu_us_per_call, tensors_per_call");
        foreach (var c in LlcStepRateBench.Cases.Where(c => args.Length < 3 || c.Name.StartsWith(args[2], StringComparison.Ordinal)))
        {
            using var scope = torch.NewDisposeScope();
            using var setup = new LlcStepRateBench.CaseSetup(c);
            using var potential = setup.Batched();
            long dim = potential.Dimension;
            using var weights = potential.Center.unsqueeze(0).expand(chains, dim).clone().DetachFromDisposeScope();
            using var centers = potential.Center.unsqueeze(0).expand(chains, dim).DetachFromDisposeScope();
            using var gradient = torch.zeros_like(weights).DetachFromDisposeScope();
            using var gradient2 = torch.zeros_like(weights).DetachFromDisposeScope();
            using var batches = new MinibatchSchedule(potential.SampleCount, batch, chains, 3);
            using var generator = new torch.Generator(4);
            using var fixedIndices = batches.Next()!.DetachFromDisposeScope();
            using var noise = torch.randn([chains, dim]).DetachFromDisposeScope();
            using var sampler = LlcEstimator.CreateSampler(SamplerKind.Sgld, new SamplerSettings(1e-7, 1000, 0.1));

            void Piece(string name, Action action)
            {
                for (int i = 0; i < 5; i++) Once(action);
                long before = DisposeScopeManager.Statistics.CreatedInScopeCount;
                // The fastest of several blocks: other jobs on a shared machine only ever slow a block down.
                var (wall, cpu) = (TimeSpan.MaxValue, TimeSpan.MaxValue);
                for (int block = 0; block < Blocks; block++)
                {
                    var clock = CpuClock.Start();
                    for (int i = 0; i < steps; i++) Once(action);
                    var (w, u) = clock.Elapsed();
                    if (u < cpu) (wall, cpu) = (w, u);
                }
                double tensors = (DisposeScopeManager.Statistics.CreatedInScopeCount - before) / (double)(steps * Blocks);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name}, {name}, {wall.TotalMicroseconds / steps:F1}, {cpu.TotalMicroseconds / steps:F1}, {tensors:F1}"));
            }

            Piece("minibatch indices", () => batches.Next());
            Piece("loss + gradient at chains", () => potential.Loss(weights, fixedIndices, gradient));
            Piece("loss at w* (no gradient)", () => potential.Loss(centers, fixedIndices, null));
            Piece("loss + gradient at w*", () => potential.Loss(centers, fixedIndices, gradient2));
            Piece("noise", () => torch.randn([chains, dim], generator: generator));
            var chainStep = new ChainStep { Weights = weights, LossGradient = gradient, Center = potential.Center, Noise = noise };
            Piece("sampler update", () => sampler.Step(chainStep));
            foreach (bool cv in new[] { false, true })
            {
                var options = new LlcOptions(Chains: chains, Draws: steps, BurnIn: 0, StepSize: 1e-7, BatchSize: batch,
                    ControlVariates: cv, TargetRelativeError: null, MaxDraws: steps);
                new LlcEstimator(options with { Draws = 10, MaxDraws = 10 }).Estimate(potential);
                long before = DisposeScopeManager.Statistics.CreatedInScopeCount;
                var (wall, cpu) = (TimeSpan.MaxValue, TimeSpan.MaxValue);
                for (int block = 0; block < Blocks; block++)
                {
                    var clock = CpuClock.Start();
                    new LlcEstimator(options).Estimate(potential);
                    var (w, u) = clock.Elapsed();
                    if (u < cpu) (wall, cpu) = (w, u);
                }
                double tensors = (DisposeScopeManager.Statistics.CreatedInScopeCount - before) / (double)(steps * Blocks);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name}, whole estimator step{(cv ? " + control variates" : "")}, {wall.TotalMicroseconds / steps:F1}, {cpu.TotalMicroseconds / steps:F1}, {tensors:F1}"));
            }
        }
        return 0;
    }

    private static void Once(Action action)
    {
        using var scope = torch.NewDisposeScope();
        action();
    }
}
