using System.Text.Json;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;
using DevInterp.Cli;
using DevInterp.Tests.Runs;

namespace DevInterp.Tests.Cli;

public class InspectCommandTests
{
    [Fact]
    public void FileJsonListsEveryTensorWithShapeNormAndMetadata()
    {
        string file = TestPaths.External("pybridge/pickled_modules/module_load.safetensors");

        var r = CliRunner.Run("inspect", file, "--json");

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("file", root.GetProperty("kind").GetString());
        Assert.Equal("safetensors", root.GetProperty("format").GetString());
        var tensors = root.GetProperty("tensors").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal(new long[] { 2, 5 }, tensors["lin1.weight"].GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal("float32", tensors["lin1.weight"].GetProperty("dtype").GetString());
        Assert.Equal(Math.Sqrt(10), tensors["lin1.weight"].GetProperty("norm").GetDouble(), 12); // ten ones
        Assert.Equal(4.0, tensors["lin2.weight"].GetProperty("norm").GetDouble(), 12); // four twos
    }

    [Fact]
    public void NonFiniteWeightsAreFlaggedWithExitCode2()
    {
        string dir = TestPaths.NewTempDir();
        string file = Path.Combine(dir, "bad.safetensors");
        var values = new[] { 1f, float.NaN, float.PositiveInfinity, float.NaN };
        var info = new TensorInfo("layer.weight", TensorDType.Float32, [2, 2]);
        SafetensorsWriter.Write(file, [(info, (ReadOnlyMemory<byte>)values.SelectMany(BitConverter.GetBytes).ToArray())]);

        var r = CliRunner.Run("inspect", file, "--json");

        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.Contains("bad.safetensors: tensor 'layer.weight' has 2 NaN and 1 Inf values", r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var t = doc.RootElement.GetProperty("tensors")[0];
        Assert.Equal(2, t.GetProperty("nan_count").GetInt64());
        Assert.Equal(1, t.GetProperty("inf_count").GetInt64());
    }

    [Fact]
    public void RunJsonListsStepsAndSkippedEntries()
    {
        string dir = TestPaths.NewTempDir();
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step_20.safetensors"), 2);
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step_3.safetensors"), 1);
        File.WriteAllText(Path.Combine(dir, "data.csv"), "1,2");

        var r = CliRunner.Run("inspect", dir, "--json");

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("run", doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal(new long[] { 3, 20 }, doc.RootElement.GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("step").GetInt64()));
        var skipped = doc.RootElement.GetProperty("skipped")[0];
        Assert.Equal("data.csv", skipped.GetProperty("file").GetString());
        Assert.Contains(".csv", skipped.GetProperty("reason").GetString());
    }

    [Fact]
    public void CheckReportsTheBadCheckpointAsPartialFailure()
    {
        string dir = TestPaths.NewTempDir();
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step_1.safetensors"), 1);
        File.WriteAllBytes(Path.Combine(dir, "step_2.safetensors"), new byte[] { 0xFF, 0, 0, 0, 0, 0, 0, 0, (byte)'{' });

        var r = CliRunner.Run("inspect", dir, "--check", "--json");

        Assert.Equal(ExitCodes.PartialFailure, r.ExitCode);
        Assert.Contains("step_2.safetensors", r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var statuses = doc.RootElement.GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("status").GetString());
        Assert.Equal(new[] { "ok", "error" }, statuses);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("missing")]
    [InlineData("garbage")]
    public void BadInputIsOneLineNamingThePathWithExitCode2(string kind)
    {
        string dir = TestPaths.NewTempDir();
        string target = kind switch
        {
            "empty" => dir,
            "missing" => Path.Combine(dir, "nope.safetensors"),
            _ => Path.Combine(dir, "garbage.pt"),
        };
        if (kind == "garbage") File.WriteAllText(target, "hello, not a checkpoint");

        var r = CliRunner.Run("inspect", target);

        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(target, line);
        Assert.DoesNotContain(" at ", line); // no stack trace
    }

    [Fact]
    public void UnknownOptionIsAUsageError()
    {
        var r = CliRunner.Run("inspect", "x.pt", "--no-such-option");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
    }

    [Fact]
    public void HelpShowsExamples()
    {
        var r = CliRunner.Run("inspect", "--help");
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.Contains("Examples:", r.Out);
        Assert.Contains("devinterp inspect", r.Out);
    }
}
