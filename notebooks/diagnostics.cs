#!/usr/bin/env -S dotnet run
#:project ../src/DevInterp/DevInterp.csproj
// Diagnostics: calibrating the SGLD step size on a checkpoint, then reading an estimate's traces, R̂, ESS and verdict.
// Run: dotnet run notebooks/diagnostics.cs
using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Tasks;
using TorchSharp;

var run = Run.Open(Path.Combine(RepositoryRoot(), "checkpoints/tms"));
var spec = ModelSpec.Parse(run.Manifest!.Model!);
using var training = TaskSpec.Parse(run.Manifest!.Task!, run.Directory).LoadTraining();
var (data, loss) = training;
var checkpoint = run.Checkpoints[^1];
using var reader = checkpoint.Open();
using var potential = CheckpointPotentials.Create(spec, reader, data, loss, new CheckpointPotentialOptions());
Console.WriteLine($"TMS checkpoint at step {checkpoint.Step}: {potential.Dimension} parameters, n = {potential.SampleCount}");

// 1. The step-size sweep: large ε mixes fast but biases λ̂ up; the chosen ε is the largest whose estimate agrees
//    with the next smaller one and whose chains pass the diagnostics (docs/llc.md, "Calibration").
var calibration = new LlcCalibrator(CalibrationOptions.For(new LlcOptions(Chains: 4, Draws: 200, BurnIn: 100))).Calibrate(potential);
Console.WriteLine("      ε        λ̂      std    R̂   passing");
foreach (var p in calibration.Grid)
    Console.WriteLine($"{p.StepSize,9:G3} {p.Mean,8:F3} {p.Std,7:F3} {p.RHat,5:F2}   {(p.Passing ? "yes" : "no")}{(p.StepSize == calibration.Chosen ? "  ← chosen" : "")}");
Console.WriteLine(calibration.Reason);

// 2. An estimate at the chosen ε, and what its diagnostics say.
var result = new LlcEstimator(new LlcOptions(StepSize: calibration.Chosen)).Estimate(potential);
var d = result.Diagnostics;
Console.WriteLine($"λ̂ = {result.Mean:F3} ± {result.Std:F3} over {result.PerChain.Count} chains × {result.LambdaTraces[0].Length} draws");
Console.WriteLine($"R̂ = {d.RHat:F3}, bulk ESS = {d.BulkEss:F0}, drift = {d.Drift:P1}, negative draws = {d.NegativeFraction:P1}: {d.Verdict}");
foreach (var reason in d.Reasons) Console.WriteLine("  - " + reason);

// 3. The traces: chain means over successive fifths of the draws (a trace still rising would show here and in the drift).
int draws = result.LambdaTraces[0].Length;
for (int c = 0; c < result.LambdaTraces.Count; c++)
    Console.WriteLine($"chain {c}: " + string.Join("  ", Enumerable.Range(0, 5).Select(b => result.LambdaTraces[c].Skip(b * draws / 5).Take(draws / 5).Average().ToString("F3"))));

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "DevInterp.sln"))) return dir.FullName;
    throw new InvalidOperationException("run this from inside the DevInterp repository (no DevInterp.sln above the current folder)");
}
