using System.Text.Json.Nodes;
using DevInterp.Analysis;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;
using DevInterp.Cli;
using DevInterp.Runs;
using DevInterp.Storage;
using DevInterp.Tests.Cli;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// Issue 14: settings are validated once, before any checkpoint is read, wherever they come from; a checkpoint that
/// fails on its own (permission, I/O error, corrupt, NaN weights, wrong shapes) is recorded with its reason and the run
/// goes on (exit 3); a failure common to every checkpoint is one line and exit 2.
/// </summary>
public class RunReliabilityTests
{
    private static readonly string[] FastFlags =
        ["--chains", "2", "--draws", "20", "--burn-in", "10", "--step-size", "1e-4", "--target-rel-error", "0", "--quiet"];

    // Any checkpoint opened or hashed while this is in force fails the test's expectation loudly.
    private static IDisposable NoCheckpointMayBeRead() =>
        FileOpenFaults.Inject(path => new IOException($"TOUCHED {path}"));

    [Fact]
    public void EveryBadSettingOfAConfigIsNamedAtOnceBeforeAnyCheckpointIsRead()
    {
        string run = DemoRunCopy.Make("dln", 0, 5000);
        var config = JsonNode.Parse(File.ReadAllText(DemoRunCopy.QuickConfig(run, "bad")))!.AsObject();
        config["llc"]!["draws"] = 0;
        config["llc"]!["chains"] = -2;
        config["llc"]!["step_size"] = "NaN";
        config["dynamics"]!["components"] = -3;
        string file = Path.Combine(TestPaths.NewTempDir(), "analysis.json");
        File.WriteAllText(file, config.ToJsonString());
        string outDir = Path.Combine(TestPaths.NewTempDir(), "a");

        CliRunner.Result r;
        using (NoCheckpointMayBeRead()) r = CliRunner.Run("analyze", run, "--out", outDir, "--config", file, "--quiet");

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("TOUCHED", line);
        foreach (string named in new[] { "llc.chains: expected at least 1, got -2 (--chains)", "llc.draws: expected at least 4, got 0 (--draws)",
                     "llc.step_size: expected a finite number > 0", "dynamics.components: expected at least 2", "(--components)" })
            Assert.Contains(named, line);
        Assert.False(File.Exists(Path.Combine(outDir, AnalysisConfig.FileName)), "nothing is written for settings that cannot run");
    }

    [Theory]
    [InlineData(-1e-3, "llc.step_size: expected a finite number > 0")]
    [InlineData(1e39, "representable in float32")]
    public void AStepSizeTheComputationCannotUseIsRefusedInTheLibraryToo(double stepSize, string message)
    {
        string run = DemoRunCopy.Make("dln", 0, 5000);
        var config = AnalysisConfigBuilder.Create("x", run, Run.Open(run), llc: new LlcSettings(StepSize: stepSize));

        var e = Assert.Throws<SettingsException>(() => AnalysisPipeline.Run(config, Run.Open(run), Path.Combine(TestPaths.NewTempDir(), "a")));

        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(new[] { "--max-draws", "5", "--draws", "20" }, "llc.max_draws: expected at least llc.draws (20), got 5 (--max-draws)")]
    [InlineData(new[] { "--chains", "100000000" }, "TB of memory, this machine has")]
    [InlineData(new[] { "--draws", "0", "--burn-in", "-1" }, "2 settings cannot be used: llc.draws")]
    public void LlcOptionsAreRefusedUpFrontInOneLine(string[] options, string message)
    {
        string run = DemoRunCopy.Make("dln", 0, 5000);
        CliRunner.Result r;
        using (NoCheckpointMayBeRead()) r = CliRunner.Run(["llc", run, "--out", Path.Combine(TestPaths.NewTempDir(), "a"), "--quiet", .. options]);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains(message, Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void MoreDrawsThanTheDefaultMaximumNeedNoMaxDrawsFlag()
    {
        var settings = new LlcSettings(Draws: 5000);
        Assert.Contains(settings.Problems(), p => p.StartsWith("llc.max_draws", StringComparison.Ordinal)); // a config must say it
        Assert.Empty((settings with { MaxDraws = 5000 }).Problems());
    }

    [Fact]
    public void AModelTooLargeForTheMachineIsRefusedWithTheNumber()
    {
        string run = DemoRunCopy.Make("dln", 0, 5000);
        string spec = Path.Combine(TestPaths.NewTempDir(), "model.json");
        File.WriteAllText(spec, "{\"type\": \"mlp\", \"widths\": [8, 1000000000, 8]}");

        var r = CliRunner.Run(["llc", run, "--model", spec, "--out", Path.Combine(TestPaths.NewTempDir(), "a"), .. FastFlags]);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("model: the spec has 1.7E+10 parameters", r.Err);
        Assert.DoesNotContain("frame #", r.Err);
    }

    [Theory]
    [InlineData("permission")]
    [InlineData("io")]
    public void AnUnreadableCheckpointIsRecordedAndTheRestAnalysed(string fault)
    {
        string run = DemoRunCopy.Make("dln", 0, 700, 5000);
        string bad = Path.Combine(run, "step_000700.safetensors");
        string outDir = Path.Combine(TestPaths.NewTempDir(), "a");
        Exception Fault() => fault == "permission"
            ? new UnauthorizedAccessException($"Access to the path '{bad}' is denied.")
            : new IOException($"{bad}: Input/output error");

        CliRunner.Result r;
        using (FileOpenFaults.Inject(path => path == bad ? Fault() : null))
            r = CliRunner.Run(["llc", run, "--out", outDir, .. FastFlags]);

        Assert.Equal(ExitCodes.PartialFailure, r.ExitCode);
        Assert.Contains("error: step 700: ", r.Err);
        var store = AnalysisStore.Open(outDir);
        var row = store.Read<CheckpointRow>().Single(c => c.Step == 700);
        Assert.Equal(CheckpointStatus.Failed, row.Status);
        Assert.Contains(fault == "permission" ? "denied" : "Input/output error", row.Error);
        Assert.Equal(new long[] { 0, 5000 }, store.Read<LlcRow>().Select(l => l.Step));
        var recorded = AnalysisConfig.Load(Path.Combine(outDir, AnalysisConfig.FileName)).Run.Checkpoints.Single(c => c.Step == 700);
        Assert.Equal(CheckpointSource.Unreadable, recorded.Sha256);
    }

    /// <summary>
    /// The real thing: a checkpoint this user may not read (mode 000). Root reads any file, so as root the command runs
    /// as 'nobody' (setpriv), for whom the permission is really denied.
    /// </summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ACheckpointTheUserMayNotReadIsRecordedAndTheRestAnalysed()
    {
        string run = DemoRunCopy.Make("dln", 0, 700, 5000);
        string bad = Path.Combine(run, "step_000700.safetensors");
        File.SetUnixFileMode(bad, UnixFileMode.None);
        string parent = TestPaths.NewTempDir();
        File.SetUnixFileMode(parent, (UnixFileMode)0b111_111_111); // writable by 'nobody'
        string outDir = Path.Combine(parent, "a");
        string[] args = ["llc", run, "--out", outDir, .. FastFlags];

        int code;
        string err;
        if (Environment.IsPrivilegedProcess)
        {
            Assert.True(File.Exists("/usr/bin/setpriv"), "setpriv (util-linux) is needed to run the check as a user without root's rights");
            string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
            var info = new System.Diagnostics.ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string a in new[] { "--reuid=nobody", "--regid=nogroup", "--clear-groups", "env", "HOME=/tmp", host, "exec", typeof(RunReliabilityTests).Assembly.Location, "devinterp" })
                info.ArgumentList.Add(a);
            foreach (string a in args) info.ArgumentList.Add(a);
            using var child = System.Diagnostics.Process.Start(info)!;
            var errTask = child.StandardError.ReadToEndAsync();
            await child.StandardOutput.ReadToEndAsync();
            await child.WaitForExitAsync();
            (code, err) = (child.ExitCode, await errTask);
        }
        else
        {
            var r = CliRunner.Run(args);
            (code, err) = (r.ExitCode, r.Err);
        }

        Assert.True(code == ExitCodes.PartialFailure, err);
        Assert.Contains("error: step 700: ", err);
        Assert.Contains("is denied", err);
        var store = AnalysisStore.Open(outDir);
        Assert.Contains("denied", store.Read<CheckpointRow>().Single(c => c.Step == 700).Error);
        Assert.Equal(new long[] { 0, 5000 }, store.Read<LlcRow>().Select(l => l.Step));
    }

    /// <summary>
    /// Issue 14: a checkpoint name pointing at a FIFO or at /dev/zero blocked the run forever. Now it is refused without
    /// being opened for reading, recorded with its reason, and the rest is analysed.
    /// </summary>
    [Theory]
    [InlineData("fifo", "a named pipe (FIFO), not a regular file")]
    [InlineData("device", "a character device, not a regular file")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void ACheckpointThatIsAPipeOrADeviceIsRecordedAndTheRestAnalysed(string kind, string reason)
    {
        string run = DemoRunCopy.Make("dln", 0, 700, 5000);
        string bad = Path.Combine(run, "step_000700.safetensors");
        File.Delete(bad);
        if (kind == "fifo") MakeFifo(bad);
        else File.CreateSymbolicLink(bad, "/dev/zero");
        string outDir = Path.Combine(TestPaths.NewTempDir(), "a");

        var r = CliRunner.Run(["llc", run, "--out", outDir, .. FastFlags]);

        Assert.Equal(ExitCodes.PartialFailure, r.ExitCode);
        Assert.Contains($"error: step 700: {bad}: {reason}", r.Err);
        var store = AnalysisStore.Open(outDir);
        Assert.Contains(reason, store.Read<CheckpointRow>().Single(c => c.Step == 700).Error);
        Assert.Equal(new long[] { 0, 5000 }, store.Read<LlcRow>().Select(l => l.Step));
    }

    /// <summary>
    /// Issue 14: task data pointing at a FIFO blocked forever, and every data-file error began "DataFileException:".
    /// Now either is one line naming the file and the reason, with no exception type (exit 2).
    /// </summary>
    [Theory]
    [InlineData("fifo", "a named pipe (FIFO), not a regular file")]
    [InlineData("corrupt", "not a .npy array (expected the magic bytes")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void BadTaskDataIsRefusedInOneLineNamingTheFile(string kind, string reason)
    {
        string run = DemoRunCopy.Make("dln", 0, 5000);
        string dir = TestPaths.NewTempDir();
        string data = Path.Combine(dir, "train.npy");
        if (kind == "fifo") MakeFifo(data);
        else File.WriteAllText(data, "x,y\n1,2\n");
        string task = Path.Combine(dir, "task.json");
        File.WriteAllText(task, $$"""{"type": "file", "loss": "mse", "train": "{{data}}"}""");

        var r = CliRunner.Run(["llc", run, "--task", task, "--out", Path.Combine(dir, "a"), .. FastFlags]);

        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.StartsWith($"error: {data}: {reason}", Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain("Exception", r.Err);
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    [Fact]
    public void ACheckpointOfNaNWeightsOrOfOtherShapesIsRecordedAndTheRestAnalysed()
    {
        string run = DemoRunCopy.Make("dln", 0, 700, 1348, 5000);
        WriteLike(Path.Combine(run, "step_000700.safetensors"), (name, t) => TorchSharp.torch.full_like(t, double.NaN));
        WriteLike(Path.Combine(run, "step_001348.safetensors"), (name, t) => TorchSharp.torch.zeros([.. t.shape.Select((d, i) => i == 0 ? d + 1 : d)]));
        string outDir = Path.Combine(TestPaths.NewTempDir(), "a");

        var r = CliRunner.Run(["llc", run, "--out", outDir, .. FastFlags]);

        Assert.Equal(ExitCodes.PartialFailure, r.ExitCode);
        var store = AnalysisStore.Open(outDir);
        var rows = store.Read<CheckpointRow>().ToDictionary(c => c.Step);
        Assert.Equal(CheckpointStatus.Failed, rows[700].Status);
        Assert.Contains("weights are NaN or infinite", rows[700].Error);
        Assert.Equal(CheckpointStatus.Failed, rows[1348].Status);
        Assert.Contains("shape mismatch", rows[1348].Error);
        var llc = store.Read<LlcRow>().ToDictionary(l => l.Step);
        Assert.Equal(new long[] { 0, 5000 }, llc.Keys.Order());
        Assert.True(double.IsFinite(llc[0].Mean) && double.IsFinite(llc[5000].Mean));
        Assert.Equal(2, r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void WhenTheLastCheckpointCannotBeUsedTheRunsSettingIsFoundOnTheCheckpointsThatCan()
    {
        string run = DemoRunCopy.Make("dln", 0, 4019, 5000);
        File.WriteAllBytes(Path.Combine(run, "step_005000.safetensors"), [1, 2, 3]);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "a");

        var r = CliRunner.Run("llc", run, "--out", outDir, "--chains", "2", "--draws", "20", "--burn-in", "10", "--target-rel-error", "0", "--quiet");

        Assert.Equal(ExitCodes.PartialFailure, r.ExitCode);
        var store = AnalysisStore.Open(outDir);
        // The probes (first, middle, last) skip the unreadable last checkpoint: the setting comes from the usable ones.
        Assert.Equal([0L, 4019L], store.Read<CalibrationRow>().Select(c => c.Step).Distinct().Order());
        Assert.Equal("0, 4019", Assert.Single(store.Read<LlcSettingRow>()).ProbeSteps);
        Assert.Equal(new long[] { 0, 4019 }, store.Read<LlcRow>().Select(l => l.Step));
    }

    /// <summary>
    /// Issue 14: a config-level error was repeated once per checkpoint ("error: step 0 … error: step 97 …") with exit 3.
    /// Now a failure of every checkpoint is one line and exit 2, from <c>llc</c> and from <c>analyze</c> with a config.
    /// </summary>
    [Theory]
    [InlineData("llc", "every checkpoint failed (3) for the same reason")]
    [InlineData("analyze", "no checkpoint of the run could be used (3 failed)")]
    public void AFailureOfEveryCheckpointIsOneLineAndExitCode2(string command, string said)
    {
        string run = DemoRunCopy.Make("dln", 0, 700, 5000);
        string spec = Path.Combine(TestPaths.NewTempDir(), "model.json");
        File.WriteAllText(spec, "{\"type\": \"dln\", \"widths\": [8, 16, 8]}");
        string outDir = Path.Combine(TestPaths.NewTempDir(), "a");
        string[] args = command == "llc"
            ? ["llc", run, "--model", spec, "--out", outDir, .. FastFlags]
            : ["analyze", run, "--out", outDir, "--config", ConfigWith(DemoRunCopy.QuickConfig(run, "misfit", draws: 20, burnIn: 10), "model", spec), "--quiet"];

        var r = CliRunner.Run(args);

        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(said, line);
        Assert.Contains("does not fit", line);
    }

    // The config file with one top-level field replaced.
    private static string ConfigWith(string config, string field, string value)
    {
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json[field] = value;
        string file = Path.Combine(TestPaths.NewTempDir(), "analysis.json");
        File.WriteAllText(file, json.ToJsonString());
        return file;
    }

    [Fact]
    public void AKeyPathOnAFlatCheckpointIsRefused()
    {
        string file = Path.Combine(TestPaths.RepoRoot, "checkpoints", "dln", "step_000000.safetensors");
        var r = CliRunner.Run("inspect", file, "--key", "model");
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.Contains("key path 'model' given, but a safetensors file holds one flat state dict", r.Err);
    }

    private static void WriteLike(string file, Func<string, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> change)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var tensors = new List<KeyValuePair<string, TorchSharp.torch.Tensor>>();
        using (var reader = CheckpointFile.Open(file))
        {
            foreach (var t in reader.Tensors) tensors.Add(new(t.Name, change(t.Name, reader.ReadTorch(t.Name))));
        }
        SafetensorsWriter.Write(file, tensors);
    }
}
