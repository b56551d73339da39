using System.Globalization;
using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using DevInterp.Llc.Samplers;
using DevInterp.Models;
using TorchSharp;

namespace DevInterp.Bench;

/// <summary>
/// Where a chain-step's time goes on the model of <see cref="LlcOneHotRateBench"/> (or any one-hidden-layer MLP on
/// its task: WIDTH and ACTIVATION), 8 chains, full batch, one thread: microseconds per call of the loss and gradient
/// of all chains at once, the loss alone, the noise draw, the MALA update (its potential evaluation included), and
/// a whole estimator step; the fastest of five blocks of STEPS calls.
/// Usage: llc-onehot-profile [STEPS [ACTIVATION [HIDDEN [P [CHAINS [TRAIN-FRACTION]]]]]]
/// (the grokking demo: 200 gelu 112 29 4 0.6)
/// </summary>
public static class LlcOneHotProfileBench
{
    private const int Blocks = 5;

    /// <summary>Runs the profile.</summary>
    public static int Run(string[] args)
    {
        int steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        string activation = args.Length > 2 ? args[2] : "relu";
        int hidden = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 256;
        int p = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 31;
        int chains = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 8;
        double fraction = args.Length > 6 ? double.Parse(args[6], CultureInfo.InvariantCulture) : LlcOneHotRateBench.Task.TrainFraction;
        torch.set_num_threads(1);
        var task = LlcOneHotRateBench.Task with { P = p, TrainFraction = fraction };
        var spec = new MlpSpec([2 * p, hidden, p], activation);
        using var train = task.LoadTraining();
        var (data, loss) = train;
        using var module = spec.Build(seed: 1);
        var state = module.named_parameters().ToDictionary(x => x.name, x => x.parameter.detach());
        using var potential = CheckpointPotentials.Create(spec, state, data, loss);
        long dim = potential.Dimension;
        Console.WriteLine($"# llc-onehot-profile: MLP {2 * p}-{hidden}-{p} {activation}, {dim} parameters, n = {potential.SampleCount}, {chains} chains, load {CpuClock.LoadAverage()}");
        Console.WriteLine("piece, wall_us_per_step, cpu_us_per_step, cpu_us_per_chain_step");
        using var weights = potential.Center.unsqueeze(0).expand(chains, dim).clone();
        using var gradient = torch.zeros_like(weights);
        using var noise = torch.randn([chains, dim]);
        using var generator = new torch.Generator(4);
        using var lossNow = potential.Loss(weights, null, gradient).to_type(torch.ScalarType.Float64);
        var settings = new SamplerSettings(1e-7, potential.SampleCount / Math.Log(potential.SampleCount), 100, 1000);
        using var sampler = LlcEstimator.CreateSampler(SamplerKind.Mala, settings);
        var chainStep = new ChainStep
        {
            Weights = weights, LossGradient = gradient, Center = potential.Center, Noise = noise, Loss = lossNow, Random = generator,
            Evaluate = (w, g) => potential.Loss(w, null, g).to_type(torch.ScalarType.Float64),
        };

        void Piece(string name, Action action)
        {
            for (int i = 0; i < 5; i++) Once(action);
            var (wall, cpu) = (TimeSpan.MaxValue, TimeSpan.MaxValue);
            for (int block = 0; block < Blocks; block++)
            {
                var clock = CpuClock.Start();
                for (int i = 0; i < steps; i++) Once(action);
                var (w, u) = clock.Elapsed();
                if (u < cpu) (wall, cpu) = (w, u);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}, {wall.TotalMicroseconds / steps:F0}, {cpu.TotalMicroseconds / steps:F0}, {cpu.TotalMicroseconds / steps / chains:F0}"));
        }

        Piece("loss + gradient (all chains)", () => potential.Loss(weights, null, gradient));
        Piece("loss only", () => potential.Loss(weights, null, null));
        Piece("noise", () => noise.normal_(generator: generator));
        Piece("mala step (with its evaluation)", () => sampler.Step(chainStep));
        var options = new LlcOptions(Chains: chains, Draws: steps, BurnIn: 0, StepSize: 1e-7, Localization: 100,
            TargetRelativeError: null, MaxDraws: steps);
        new LlcEstimator(options with { Draws = 10, MaxDraws = 10 }).Estimate(potential);
        var (wallAll, cpuAll) = (TimeSpan.MaxValue, TimeSpan.MaxValue);
        for (int block = 0; block < Blocks; block++)
        {
            var clock = CpuClock.Start();
            new LlcEstimator(options).Estimate(potential);
            var (w, u) = clock.Elapsed();
            if (u < cpuAll) (wallAll, cpuAll) = (w, u);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"whole estimator step, {wallAll.TotalMicroseconds / steps:F0}, {cpuAll.TotalMicroseconds / steps:F0}, {cpuAll.TotalMicroseconds / steps / chains:F0}"));
        return 0;
    }

    private static void Once(Action action)
    {
        using var scope = torch.NewDisposeScope();
        action();
    }
}
