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
using DevInterp.Reports;
using DevInterp.Runs;
using DevInterp.Storage;
using DevInterp.Tasks;
using TorchSharp;
using static TorchSharp.torch;

string root = RepositoryRoot();
string work = Path.Combine(root, "analyses", "byo");
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

// 4. The LLC of each checkpoint, chains run in turn through the user's module; estimates and traces go into an
//    analysis folder (Arrow tables, as devinterp llc writes them), from which the report draws its charts.
var store = AnalysisStore.Open(work);
var options = new LlcOptions(Chains: 4, Draws: 300, BurnIn: 200, StepSize: 1e-4, TargetRelativeError: null);
foreach (var checkpoint in run.Checkpoints)
{
    using var reader = checkpoint.Open();
    using var potential = CheckpointPotentials.Create(new TwoLayer(), reader, data, loss,
        new CheckpointPotentialOptions(Load: new StateDictLoadOptions(Map: nameMap)));
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var result = new LlcEstimator(options).Estimate(potential);
    store.Write(PartKey.ForStep(checkpoint.Step), [LlcRow.From(checkpoint.Step, result, clock.Elapsed.TotalSeconds)]);
    store.Write(PartKey.ForStep(checkpoint.Step), LlcTraceRow.From(checkpoint.Step, result));
    Console.WriteLine($"step {checkpoint.Step,3}: L(w*) = {result.LossAtCenter:F4}, λ̂ = {result.Mean,7:F2} ± {result.Std:F2} ({result.Diagnostics.Verdict})");
}

// 5. The charts, one self-contained HTML page: λ̂ over steps, the diagnostics table and the traces of flagged estimates.
string[] sections = ["llc", "llc-diagnostics"];
string html = Path.Combine(work, "report.html");
var report = SectionReport.Write(work, html, sections); // [app]
Console.WriteLine($"report: {report.Path} ({report.Bytes / 1e6:F1} MB, {report.Charts.Count} charts)"); // [app]
// Plotly.NET cannot load inside the notebook host (its FSharp.Core differs), so the notebook has devinterp report draw the same page.
// [notebook] var cli = System.Diagnostics.Process.Start(Path.Combine(root, "src/DevInterp.Cli/bin/Debug/net10.0/devinterp"), new[] { "report", work, "--sections", string.Join(",", sections), "--out", html })!;
// [notebook] cli.WaitForExit();
// [notebook] if (cli.ExitCode != 0) throw new Exception($"devinterp report failed with exit code {cli.ExitCode}");
// [notebook] display(HTML(File.ReadAllText(html)));

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
