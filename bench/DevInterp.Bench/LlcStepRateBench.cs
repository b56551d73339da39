using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using DevInterp.Llc;
using DevInterp.Llc.Models;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using TorchSharp;

namespace DevInterp.Bench;

/// <summary>
/// LLC sampler throughput, single thread, 8 chains: chain-draws per second of the estimator (batched chains and the
/// chains-in-turn module path), against the floor — one forward and backward pass of the model on one batch, timed in
/// TorchSharp — for TMS 6→2, DLN 8-8-8-8, DLN 50→40→30→20→50 and MLP 784-256-256-10 at batch 256. The PyTorch reference
/// loop is bench/sgld_loop_bench.py (same models, batch, chains, threads). Usage: llc-step-rate [STEPS]
/// </summary>
public static class LlcStepRateBench
{
    private sealed record Case(string Name, string SpecJson, int Inputs, int Outputs, bool Classification);

    private static readonly Case[] Cases =
    [
        new("tms-6-2", """{"type":"tms","features":6,"hidden":2}""", 6, 6, false),
        new("dln-8-8-8-8", """{"type":"dln","widths":[8,8,8,8]}""", 8, 8, false),
        new("dln-50-40-30-20-50", """{"type":"dln","widths":[50,40,30,20,50]}""", 50, 50, false),
        new("mlp-784-256-256-10", """{"type":"mlp","widths":[784,256,256,10],"activation":"relu"}""", 784, 10, true),
    ];

    /// <summary>Runs the benchmark and prints one line per model and variant.</summary>
    public static int Run(string[] args)
    {
        int steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        torch.set_num_threads(1);
        const int chains = 8, batch = 256, n = 10_000;
        Console.WriteLine("model, variant, chain_steps_per_s, vs_floor");
        foreach (var c in Cases)
        {
            using var scope = torch.NewDisposeScope();
            var spec = ModelSpec.Parse((JsonObject)JsonNode.Parse(c.SpecJson)!);
            using var module = spec.Build(seed: 1);
            var x = torch.randn([n, c.Inputs]);
            var y = c.Classification ? torch.randint(c.Outputs, [n], dtype: torch.ScalarType.Int64) : torch.randn([n, c.Outputs]);
            var data = new SupervisedData(x, y);
            IChainLoss loss = c.Classification ? new CrossEntropyChainLoss() : new SquaredErrorLoss();
            var state = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

            double floor = Floor(module, data, loss, batch, steps);
            Console.WriteLine(Line(c.Name, "floor (one fwd+bwd, TorchSharp)", floor, floor));
            foreach (bool cv in new[] { false, true })
            {
                using var batched = new BatchedPotential(ChainModels.For(spec)!, state, data, loss);
                double rate = Rate(batched, chains, batch, steps, cv);
                Console.WriteLine(Line(c.Name, $"batched chains{(cv ? " + control variates" : "")}", rate, floor));
            }
            using var perModule = new ModulePotential(module, data, loss);
            double moduleRate = Rate(perModule, chains, batch, Math.Max(20, steps / 4), false);
            Console.WriteLine(Line(c.Name, "chains in turn (any Module)", moduleRate, floor));
        }
        return 0;
    }

    private static double Rate(IChainPotential potential, int chains, int batch, int steps, bool controlVariates)
    {
        var options = new LlcOptions(Chains: chains, Draws: steps, BurnIn: 0, StepSize: 1e-7, BatchSize: batch,
            ControlVariates: controlVariates, TargetRelativeError: null, MaxDraws: steps);
        new LlcEstimator(options with { Draws = 10, MaxDraws = 10 }).Estimate(potential); // warm-up
        var clock = Stopwatch.StartNew();
        new LlcEstimator(options).Estimate(potential);
        return chains * (double)steps / clock.Elapsed.TotalSeconds;
    }

    private static double Floor(torch.nn.Module<torch.Tensor, torch.Tensor> module, SupervisedData data, IChainLoss loss, int batch, int steps)
    {
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            var idx = torch.randint(data.Count, [batch], dtype: torch.ScalarType.Int64);
            module.zero_grad();
            var prediction = module.call(data.Inputs.index_select(0, idx)).unsqueeze(0);
            loss.Compute(prediction, data.Targets.index_select(0, idx).unsqueeze(0)).sum().backward();
        }
        for (int i = 0; i < 10; i++) Step();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps * 2; i++) Step();
        return steps * 2 / clock.Elapsed.TotalSeconds;
    }

    private static string Line(string model, string variant, double rate, double floor) =>
        string.Create(CultureInfo.InvariantCulture, $"{model}, {variant}, {rate:F0}, {rate / floor:F2}");
}
