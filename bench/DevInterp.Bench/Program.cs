using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DevInterp.Bench;

// Usage: dotnet run -c Release --project bench/DevInterp.Bench -- checkpoint-read DIR
//   DIR holds the files of bench/make_checkpoint_files.py. Prints BenchmarkDotNet's table and a MB/s summary.
// Usage: dotnet run -c Release --project bench/DevInterp.Bench -- checkpoint-read-quick DIR [REPS [RUN-REPS]]
//   The same loop timed with a Stopwatch (median; opening and reading apart): seconds instead of minutes.
// Usage: dotnet run -c Release --project bench/DevInterp.Bench -- cka-step-matrix [T n d naive-pairs gram-block]
//   Step × step linear CKA of T checkpoints (default 200 × 2048 probes × 512 features) against the naive pair loop.
DevInterp.Native.OpenMpPolicy.Apply(); // before torch loads, as the CLI does
if (args.Length >= 1 && args[0] == "cka-step-matrix") return CkaStepMatrixBench.Run(args);
if (args.Length >= 1 && args[0] == "llc-step-rate") return LlcStepRateBench.Run(args);
if (args.Length >= 1 && args[0] == "llc-profile") return LlcProfileBench.Run(args);
if (args.Length >= 1 && args[0] == "llc-onehot-profile") return LlcOneHotProfileBench.Run(args);
if (args.Length >= 1 && args[0] == "llc-onehot-rate") return LlcOneHotRateBench.Run(args);
if (args.Length >= 3 && args[0] == "llc-equilibrium") return LlcEquilibriumBench.Run(args);
if (args.Length >= 3 && args[0] == "nc-quadrature") return LlcEquilibriumBench.Quadrature(args);
if (args.Length >= 2 && args[0] == "llc-calibration") return LlcCalibrationBench.Run(args);
if (args.Length >= 4 && args[0] == "llc-reference") return LlcReferenceBench.Run(args);
if (args.Length >= 2 && args[0] == "llc-estimate") return LlcEstimateBench.Run(args);
if (args.Length >= 4 && args[0] == "llc-ess-rate") return LlcEssRateBench.Run(args);
if (args.Length >= 1 && args[0] == "checkpoint-read-quick") return CheckpointReadQuickBench.Run(args);
if (args.Length >= 1 && args[0] == "checkpoint-read-loop") return CheckpointReadQuickBench.Loop(args);
if (args.Length < 2 || args[0] != "checkpoint-read")
{
    Console.Error.WriteLine("usage: DevInterp.Bench checkpoint-read DIR   (DIR from bench/make_checkpoint_files.py)");
    Console.Error.WriteLine("       DevInterp.Bench checkpoint-read-quick DIR [REPS [RUN-REPS]] | checkpoint-read-loop FILE [N]");
    Console.Error.WriteLine("       DevInterp.Bench cka-step-matrix [T n d naive-pairs gram-block]");
    Console.Error.WriteLine("       DevInterp.Bench llc-step-rate [STEPS] | llc-profile [STEPS] | llc-onehot-rate [STEPS [BLOCKS [ACTIVATION [THREADS...]]]]");
    Console.Error.WriteLine("       DevInterp.Bench llc-equilibrium WIDTHS RANK [GAMMAS] [N] [DRAWS] [THIN] [EPS·nβ] [SAMPLER] | nc-quadrature A B [N]");
    Console.Error.WriteLine("       DevInterp.Bench llc-calibration CASE [GAMMA] [SEED]");
    Console.Error.WriteLine("       DevInterp.Bench llc-reference CASE EPS·nβ DRAWS [THIN] [BURN-IN] [GAMMA] [SEED] [STEP-SIZE-RANGE]");
    Console.Error.WriteLine("       DevInterp.Bench llc-estimate CASE | llc-ess-rate CASE MALA-EPS·nβ SGLD-EPS·nβ [DRAWS] [BURN-IN]");
    return 1;
}
string dir = Path.GetFullPath(args[1]);
torch_threads();
CheckpointReadBenchmarks.Directory = dir;
RunIterationBenchmarks.RunDirectory = Path.Combine(dir, "run_1000");

// In-process: the benchmark runs in this process, which already loads the patched TorchSharp native library.
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
var read = BenchmarkRunner.Run<CheckpointReadBenchmarks>(config);
var iterate = BenchmarkRunner.Run<RunIterationBenchmarks>(config);

Console.WriteLine();
Console.WriteLine("file, bytes, median_ms, mb_per_s");
foreach (var report in read.Reports)
{
    string file = (string)report.BenchmarkCase.Parameters["File"];
    long bytes = new FileInfo(Path.Combine(dir, file)).Length;
    double ms = report.ResultStatistics!.Median / 1e6;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{file}, {bytes}, {ms:F3}, {bytes / 1e6 / (ms / 1e3):F0}"));
}
foreach (var report in iterate.Reports)
{
    double ms = report.ResultStatistics!.Median / 1e6;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run_1000 (1,000 checkpoints), -, {ms:F1}, {1000 / (ms / 1e3):F0} checkpoints/s"));
}
return 0;

static void torch_threads() => TorchSharp.torch.set_num_threads(1);
