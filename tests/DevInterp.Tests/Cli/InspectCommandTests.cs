using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;
using DevInterp.Cli;
using DevInterp.Cli.Commands;
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

    private static string TrainingCheckpoint => TestPaths.Fixture("pytorch/training_checkpoint.pt");

    [Fact]
    public void KeySelectsTheStateDictInsideANestedTrainingCheckpoint()
    {
        // training_checkpoint.pt is {"model": MLP state_dict, "optimizer": Adam state_dict, "epoch": 3, "train_loss": 0.2,
        // "val_acc": np.float64(0.9), "step": 1200} (Fixtures/pytorch/make_fixtures.py, real torch.save).
        var model = CliRunner.Run("inspect", TrainingCheckpoint, "--key", "model", "--json");
        Assert.Equal(ExitCodes.Success, model.ExitCode);
        using var doc = JsonDocument.Parse(model.Out);
        var tensors = doc.RootElement.GetProperty("tensors").EnumerateArray().ToList();
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], tensors.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal([8L, 4], tensors[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([2L, 8], tensors[2].GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(58, doc.RootElement.GetProperty("element_count").GetInt64()); // 32 + 8 + 16 + 2
        using (var reader = CheckpointFile.Open(TrainingCheckpoint, new CheckpointOpenOptions("model")))
        {
            foreach (var t in tensors)
            {
                double[] values = reader.ReadDoubles(t.GetProperty("name").GetString()!);
                Assert.Equal(Math.Sqrt(values.Sum(v => v * v)), t.GetProperty("norm").GetDouble(), 12);
            }
        }

        // Another key gives another dict: the optimizer's state, which is never picked without --key.
        var optimizer = CliRunner.Run("inspect", TrainingCheckpoint, "--key", "optimizer", "--json");
        Assert.Equal(ExitCodes.Success, optimizer.ExitCode);
        using var opt = JsonDocument.Parse(optimizer.Out);
        var names = opt.RootElement.GetProperty("tensors").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToList();
        Assert.Contains("state.0.exp_avg", names);
        Assert.All(names, n => Assert.StartsWith("state.", n));
    }

    [Fact]
    public void MissingKeyIsBadInputListingTheKeysThereAre()
    {
        var r = CliRunner.Run("inspect", TrainingCheckpoint, "--key", "no_such_key");
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(TrainingCheckpoint, line);
        Assert.Contains("'no_such_key' not found", line);
        Assert.Contains("'model'", line);
        Assert.Contains("'optimizer'", line);
    }

    [Fact]
    public void MetadataScalarsOfATrainingCheckpointAppearInTextAndJson()
    {
        var text = CliRunner.Run("inspect", TrainingCheckpoint, "--key", "model");
        Assert.Equal(ExitCodes.Success, text.ExitCode);
        foreach (var (name, value) in new[] { ("epoch", "3"), ("train_loss", "0.2"), ("val_acc", "0.9"), ("step", "1200") })
            Assert.Matches(new Regex($@"\b{name}\s*\W\s*{Regex.Escape(value)}\s"), text.Out);

        var json = CliRunner.Run("inspect", TrainingCheckpoint, "--json");
        Assert.Equal(ExitCodes.Success, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Out);
        var metadata = doc.RootElement.GetProperty("metadata");
        Assert.Equal(["epoch", "train_loss", "val_acc", "step"], metadata.EnumerateObject().Select(p => p.Name));
        // Numbers stay numbers (docs/inspect-json.md).
        Assert.Equal(3, metadata.GetProperty("epoch").GetInt64());
        Assert.Equal(0.2, metadata.GetProperty("train_loss").GetDouble());
        Assert.Equal(0.9, metadata.GetProperty("val_acc").GetDouble());
        Assert.Equal(1200, metadata.GetProperty("step").GetInt64());
    }

    [Fact]
    public void FileJsonHasExactlyTheDocumentedFields()
    {
        var documented = DocumentedFields("A file");
        string dir = TestPaths.NewTempDir();
        // One readable tensor (norm) and one of a dtype DevInterp cannot read (error), so every documented field shows.
        string file = Path.Combine(dir, "mixed.safetensors");
        WriteRawSafetensors(file,
            """{"__metadata__":{"step":"7"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"u":{"dtype":"U16","shape":[2],"data_offsets":[8,12]}}""",
            [.. BitConverter.GetBytes(3f), .. BitConverter.GetBytes(4f), 1, 0, 2, 0]);

        var r = CliRunner.Run("inspect", file, "--json");

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(documented[""], Keys(root));
        var tensors = root.GetProperty("tensors").EnumerateArray().ToList();
        Assert.Equal(documented["tensors[]"], tensors.SelectMany(Keys).ToHashSet());
        Assert.Equal(5.0, tensors.Single(t => t.GetProperty("name").GetString() == "w").GetProperty("norm").GetDouble());
        var unreadable = tensors.Single(t => t.GetProperty("name").GetString() == "u");
        Assert.False(unreadable.TryGetProperty("norm", out _)); // "omitted when error is set"
        Assert.Equal("uint16", unreadable.GetProperty("dtype").GetString());
        Assert.Equal("7", root.GetProperty("metadata").GetProperty("step").GetString());
        Assert.Equal(DocumentedSchemaVersion(), root.GetProperty("schema_version").GetInt32());

        // A PyTorch file has the same fields (no error: every tensor reads).
        var pt = CliRunner.Run("inspect", TrainingCheckpoint, "--json");
        using var ptDoc = JsonDocument.Parse(pt.Out);
        Assert.Equal(documented[""], Keys(ptDoc.RootElement));
        Assert.All(ptDoc.RootElement.GetProperty("tensors").EnumerateArray(),
            t => Assert.Equal(documented["tensors[]"].Except(["error"]).ToHashSet(), Keys(t)));
    }

    [Fact]
    public void RunJsonHasExactlyTheDocumentedFields()
    {
        var documented = DocumentedFields("A run");
        string dir = TestPaths.NewTempDir();
        RunFixtures.WriteCheckpoint(Path.Combine(dir, "step_1.safetensors"), 1);
        File.WriteAllBytes(Path.Combine(dir, "step_2.safetensors"), [0xFF, 0, 0, 0, 0, 0, 0, 0, (byte)'{']);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not a checkpoint");

        var r = CliRunner.Run("inspect", dir, "--check", "--json");

        Assert.Equal(ExitCodes.PartialFailure, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(documented[""], Keys(root));
        Assert.Equal(documented["checkpoints[]"], root.GetProperty("checkpoints").EnumerateArray().SelectMany(Keys).ToHashSet());
        Assert.Equal(documented["skipped[]"], root.GetProperty("skipped").EnumerateArray().SelectMany(Keys).ToHashSet());
        Assert.Equal(DocumentedSchemaVersion(), root.GetProperty("schema_version").GetInt32());

        // Without --check there is no status or error ("only with --check").
        var plain = CliRunner.Run("inspect", dir, "--json");
        using var plainDoc = JsonDocument.Parse(plain.Out);
        Assert.Equal(documented["checkpoints[]"].Except(["status", "error"]).ToHashSet(),
            plainDoc.RootElement.GetProperty("checkpoints").EnumerateArray().SelectMany(Keys).ToHashSet());
    }

    [Fact]
    public void DocParsesToItsFieldListsAndTheSchemaVersionTheCodeWrites()
    {
        Assert.Equal(InspectJson.SchemaVersion, DocumentedSchemaVersion());
        var file = DocumentedFields("A file");
        var run = DocumentedFields("A run");
        // The parse found the documented shapes, not an empty or partial list.
        Assert.Equal(["element_count", "format", "kind", "metadata", "path", "schema_version", "tensors"], file[""].Order());
        Assert.Equal(["dtype", "error", "inf_count", "name", "nan_count", "norm", "numel", "shape"], file["tensors[]"].Order());
        Assert.Equal(["checkpoint_dir", "checkpoints", "has_manifest", "kind", "name", "notes", "path", "schema_version", "skipped", "unit"], run[""].Order());
        Assert.Equal(["error", "file", "metrics", "size_bytes", "status", "step", "step_source"], run["checkpoints[]"].Order());
        Assert.Equal(["file", "reason"], run["skipped[]"].Order());
    }

    private static HashSet<string> Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToHashSet();

    private static string InspectDoc => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "inspect-json.md"));

    /// <summary>The schema version in the doc's title, which its examples must repeat.</summary>
    private static int DocumentedSchemaVersion()
    {
        string doc = InspectDoc;
        int version = int.Parse(Regex.Match(doc, @"^# .*\(schema version (\d+)\)", RegexOptions.Multiline).Groups[1].Value);
        foreach (Match example in Regex.Matches(doc, "```json\n(.*?)```", RegexOptions.Singleline))
        {
            using var json = JsonDocument.Parse(example.Groups[1].Value);
            Assert.Equal(version, json.RootElement.GetProperty("schema_version").GetInt32());
        }
        return version;
    }

    /// <summary>
    /// The fields docs/inspect-json.md documents for one section ("A file", "A run"), by level: "" for the top level,
    /// "tensors[]" for the objects of the tensors array, and so on. They are the keys of the section's JSON example
    /// (descending into arrays of objects; an object-valued field such as metadata or metrics is a free-form map) plus
    /// every field the table names: `tensors[].nan_count`, `inf_count` names two fields of tensors[].
    /// </summary>
    private static Dictionary<string, HashSet<string>> DocumentedFields(string section)
    {
        string doc = InspectDoc;
        var m = Regex.Match(doc, $@"^## {Regex.Escape(section)}\n(.*?)(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(m.Success, $"docs/inspect-json.md has no section '## {section}'");
        string body = m.Groups[1].Value;
        var fields = new Dictionary<string, HashSet<string>>();
        void Add(string level, string name)
        {
            if (!fields.TryGetValue(level, out var set)) fields[level] = set = [];
            set.Add(name);
        }

        using (var example = JsonDocument.Parse(Regex.Match(body, "```json\n(.*?)```", RegexOptions.Singleline).Groups[1].Value))
        {
            void Walk(JsonElement obj, string level)
            {
                foreach (var p in obj.EnumerateObject())
                {
                    Add(level, p.Name);
                    if (p.Value.ValueKind == JsonValueKind.Array && p.Value.EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } first)
                        Walk(first, p.Name + "[]");
                }
            }
            Walk(example.RootElement, "");
        }

        foreach (Match row in Regex.Matches(body, @"^\| *(`[^|]*`) *\|", RegexOptions.Multiline))
        {
            string level = "";
            foreach (Match token in Regex.Matches(row.Groups[1].Value, "`([^`]+)`"))
            {
                string name = token.Groups[1].Value;
                int split = name.LastIndexOf("[].", StringComparison.Ordinal);
                if (split >= 0)
                {
                    level = name[..(split + 2)];
                    name = name[(split + 3)..];
                }
                else if (name.EndsWith("[]", StringComparison.Ordinal))
                {
                    name = name[..^2];
                }
                Add(level, name);
            }
        }
        return fields;
    }

    private static void WriteRawSafetensors(string path, string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header.PadRight((header.Length + 7) / 8 * 8));
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes((ulong)json.Length));
        f.Write(json);
        f.Write(data);
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
