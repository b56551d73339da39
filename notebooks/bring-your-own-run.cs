#!/usr/bin/env -S dotnet run
#:project ../src/DevInterp/DevInterp.csproj
// Bring your own run: a custom TorchSharp module, a foreign checkpoint folder (Hugging Face Trainer style, tensor names
// that differ from the module's), a name map, and training data from a file.
// Run: dotnet run notebooks/bring-your-own-run.cs
using System.Text.Json.Nodes;
using DevInterp.Checkpoints.Safetensors;
using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Tasks;
using TorchSharp;
using static TorchSharp.torch;

string work = Path.Combine(RepositoryRoot(), "analyses", "byo");
if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
Directory.CreateDirectory(work);

// 1. Someone else's data, as a CSV file (3 inputs, 1 target per row).
manual_seed(0); // the module initialisation below draws from the global generator
var gen = new Generator(0);
var x = randn([512, 3], generator: gen);
var y = x.matmul(tensor(new float[] { 1.5f, -2f, 0.5f }).reshape(3, 1)) + 0.1f * randn([512, 1], generator: gen);
File.WriteAllLines(Path.Combine(work, "data.csv"), Enumerable.Range(0, 512).Select(i =>
    string.Join(",", x[i].data<float>().Select(v => v.ToString("R")).Append(y[i, 0].ToSingle().ToString("R")))));

// 2. Someone else's run: a module of their own, checkpoints saved as checkpoint-STEP/model.safetensors with a "net." prefix.
var model = new TwoLayer();
var optimizer = optim.SGD(model.parameters(), 0.05);
foreach (int step in Enumerable.Range(0, 301))
{
    if (step % 50 == 0)
    {
        Directory.CreateDirectory(Path.Combine(work, "run", $"checkpoint-{step}"));
        SafetensorsWriter.Write(Path.Combine(work, "run", $"checkpoint-{step}", "model.safetensors"),
            model.state_dict().Select(kv => KeyValuePair.Create("net." + kv.Key, kv.Value)));
    }
    using var scope = NewDisposeScope();
    optimizer.zero_grad();
    nn.functional.mse_loss(model.forward(x), y).backward();
    optimizer.step();
}

// 3. Replay it: steps come from the folder names; the name map strips the prefix; the task reads the CSV.
var run = Run.Open(Path.Combine(work, "run"));
Console.WriteLine($"{run.Checkpoints.Count} checkpoints: steps {string.Join(", ", run.Checkpoints.Select(c => c.Step))}");
var nameMap = NameMap.Parse(JsonNode.Parse("""{"rules": [{"regex": "^net\\.(.+)$", "to": "$1"}]}""")!.AsObject());
var task = TaskSpec.Parse(JsonNode.Parse("""{"type": "file", "data": "data.csv", "train_fraction": 1, "seed": 0, "loss": "mse"}""")!.AsObject(), work);
using var training = task.LoadTraining();
var (data, loss) = training;

// 4. The LLC of each checkpoint, chains run in turn through the user's module.
var options = new LlcOptions(Chains: 4, Draws: 300, BurnIn: 200, StepSize: 1e-4, TargetRelativeError: null);
foreach (var checkpoint in run.Checkpoints)
{
    using var reader = checkpoint.Open();
    using var potential = CheckpointPotentials.Create(new TwoLayer(), reader, data, loss,
        new CheckpointPotentialOptions(Load: new StateDictLoadOptions(Map: nameMap)));
    var result = new LlcEstimator(options).Estimate(potential);
    Console.WriteLine($"step {checkpoint.Step,3}: L(w*) = {result.LossAtCenter:F4}, λ̂ = {result.Mean,7:F2} ± {result.Std:F2} ({result.Diagnostics.Verdict})");
}

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "DevInterp.sln"))) return dir.FullName;
    throw new InvalidOperationException("run this from inside the DevInterp repository (no DevInterp.sln above the current folder)");
}

/// <summary>The user's own model: any TorchSharp module works.</summary>
sealed class TwoLayer : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> fc1 = nn.Linear(3, 8), fc2 = nn.Linear(8, 1);

    public TwoLayer() : base(nameof(TwoLayer)) => RegisterComponents();

    public override Tensor forward(Tensor input) => fc2.forward(nn.functional.tanh(fc1.forward(input)));
}
