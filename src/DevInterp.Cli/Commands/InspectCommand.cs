using System.CommandLine;
using System.Globalization;
using DevInterp.Checkpoints;
using DevInterp.Runs;
using DevInterp.Runs.Metrics;
using Spectre.Console;

namespace DevInterp.Cli.Commands;

/// <summary><c>devinterp inspect</c>: what a checkpoint file or a run directory holds.</summary>
public static class InspectCommand
{
    /// <summary>Rows of a tensor or metadata table printed before the rest is summarised in one line.</summary>
    public const int MaxTableRows = 1000;

    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var path = PathArgument.Create("path", "A checkpoint file, an HF-style checkpoint folder, or a run directory");
        var key = new Option<string?>("--key") { Description = "Dotted key path to the state dict inside a larger pickled checkpoint (e.g. model, module.state_dict)" };
        var json = new Option<bool>("--json") { Description = "Print the stable JSON form (docs/inspect-json.md)" };
        var check = new Option<bool>("--check") { Description = "For a run: open every checkpoint and report the ones that fail" };
        var command = new Command("inspect",
            "Show a checkpoint's tensors (name, dtype, shape, norm, NaN/Inf counts) and metadata, or a run's checkpoints " +
            "in step order with what was skipped and why. Exit code 2 when a file cannot be read or holds NaN/Inf weights.")
        {
            path, key, json, check,
        };
        command.WithExamples(
            "devinterp inspect checkpoints/dln/step_000100.safetensors",
            "devinterp inspect model.pt --key model --json",
            "devinterp inspect checkpoints/tms --check");
        command.SetGuardedAction(context, parse =>
        {
            string target = parse.GetValue(path)!;
            string? k = parse.GetValue(key);
            bool asJson = parse.GetValue(json);
            bool isRun = Directory.Exists(target) && !IsCheckpointFolder(target);
            return isRun ? InspectRun(context, target, k, asJson, parse.GetValue(check)) : InspectFile(context, target, k, asJson);
        });
        return command;
    }

    // A folder with a weights file of its own is one checkpoint (an HF checkpoint-N/), unless it is a run holding more.
    private static bool IsCheckpointFolder(string dir) =>
        CheckpointFile.FolderWeightFiles.Any(f => File.Exists(Path.Combine(dir, f))) && !Run.HoldsCheckpoints(dir);

    private static int InspectFile(CliContext context, string file, string? key, bool asJson)
    {
        CheckpointSummary summary;
        using (var reader = CheckpointFile.Open(file, new CheckpointOpenOptions(key)))
        {
            summary = CheckpointSummary.Of(reader);
        }
        if (asJson)
        {
            JsonOutput.Write(context.Out, InspectJson.File(summary));
        }
        else
        {
            context.OutConsole.MarkupLine($"[bold]{Text(summary.Path)}[/]  format {summary.Format}, " +
                $"{summary.Tensors.Count} tensors, {summary.ElementCount:N0} values");
            var table = new Table().AddColumns("name", "dtype", "shape", "norm", "NaN", "Inf");
            // A terminal table of a million rows helps nobody and costs a gigabyte to lay out; --json lists everything.
            foreach (var t in summary.Tensors.Take(MaxTableRows))
            {
                table.AddRow(Text(t.Name), t.DType.TorchName(), Markup.Escape("[" + string.Join(", ", t.Shape) + "]"),
                    t.Norm is { } n ? n.ToString("G6", CultureInfo.InvariantCulture) : Text(t.Error ?? ""),
                    t.NaNCount.ToString(CultureInfo.InvariantCulture), t.InfCount.ToString(CultureInfo.InvariantCulture));
            }
            context.OutConsole.Write(table);
            if (summary.Tensors.Count > MaxTableRows)
                context.Out.WriteLine($"... and {summary.Tensors.Count - MaxTableRows} more tensors (--json lists them all)");
            if (summary.Metadata.Count > 0)
            {
                var meta = new Table().AddColumns("metadata", "value");
                foreach (var (k, v) in summary.Metadata.Take(MaxTableRows)) meta.AddRow(Text(k), Text(v.ToString() ?? ""));
                context.OutConsole.Write(meta);
                if (summary.Metadata.Count > MaxTableRows)
                    context.Out.WriteLine($"... and {summary.Metadata.Count - MaxTableRows} more metadata entries (--json lists them all)");
            }
        }
        int code = ExitCodes.Success;
        foreach (var bad in summary.NonFinite)
        {
            context.Err.WriteLine($"error: {PrintableText.Escape(summary.Path)}: tensor '{PrintableText.Escape(bad.Name)}' has {bad.NaNCount} NaN and {bad.InfCount} Inf values");
            code = ExitCodes.BadInput;
        }
        return code;
    }

    private static int InspectRun(CliContext context, string dir, string? key, bool asJson, bool check)
    {
        var run = Run.Open(dir, new RunOpenOptions(key));
        // Each checkpoint's index is read (no tensors) for the metrics it carries itself; --check also reports failures.
        var failures = new Dictionary<string, string>();
        var metrics = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        var notes = run.Notes.ToList();
        foreach (var replay in run.Replay())
        {
            if (replay.Error is { } e) failures[replay.Checkpoint.Path] = e.Message;
            metrics[replay.Checkpoint.Path] = MetadataMetrics.Merge(replay.Checkpoint, replay.Reader?.Metadata);
            if (replay.Reader is { } reader && notes.Count == run.Notes.Count && PrefixHint(reader, key) is { } hint) notes.Add(hint);
        }
        if (asJson)
        {
            JsonOutput.Write(context.Out, InspectJson.Run(run, metrics, notes, check ? failures : null));
        }
        else
        {
            string unit = run.Unit.ToString().ToLowerInvariant();
            context.OutConsole.MarkupLine($"[bold]{Text(run.Name)}[/]  {Text(run.Directory)}: " +
                $"{run.Checkpoints.Count} checkpoints, {unit}s {run.Checkpoints[0].Step}..{run.Checkpoints[^1].Step}" +
                (run.Manifest is null ? "" : " (from manifest.json)"));
            var table = new Table().AddColumns(unit, "file", "step from", "size", "metrics");
            if (check) table.AddColumn("status");
            foreach (var c in run.Checkpoints)
            {
                var cells = new List<string>
                {
                    c.Step.ToString(CultureInfo.InvariantCulture), Text(Path.GetRelativePath(run.Directory, c.Path)), c.StepSource,
                    Size(c), Text(Compact(metrics.GetValueOrDefault(c.Path))),
                };
                if (check) cells.Add(failures.TryGetValue(c.Path, out var why) ? "[red]" + Text(why) + "[/]" : "ok");
                table.AddRow(cells.ToArray());
            }
            context.OutConsole.Write(table);
            if (run.Skipped.Count > 0)
            {
                var skipped = new Table().AddColumns("skipped", "reason");
                foreach (var s in run.Skipped) skipped.AddRow(Text(Path.GetRelativePath(run.Directory, s.Path)), Text(s.Reason));
                context.OutConsole.Write(skipped);
            }
            foreach (string note in notes) context.Out.WriteLine($"note: {PrintableText.OneLine(note)}");
        }
        if (!check) return ExitCodes.Success;
        foreach (var (_, why) in failures) context.Err.WriteLine($"error: {PrintableText.OneLine(why)}");
        // 3 only when some checkpoints opened; none opening is the run's failure.
        return failures.Count == 0 ? ExitCodes.Success : failures.Count < run.Checkpoints.Count ? ExitCodes.PartialFailure : ExitCodes.BadInput;
    }

    /// <summary>
    /// A PyTorch Lightning checkpoint's tensors carry the LightningModule attribute that held the network
    /// (<c>model.0.weight</c> for <c>self.model</c>); the key that reads them without it, as a hint.
    /// </summary>
    private static string? PrefixHint(ICheckpointReader reader, string? key)
    {
        if (!reader.Metadata.ContainsKey("pytorch-lightning_version") || reader.Tensors.Count == 0) return null;
        string first = reader.Tensors[0].Name;
        int dot = first.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0) return null;
        string prefix = first[..(dot + 1)];
        if (!reader.Tensors.All(t => t.Name.StartsWith(prefix, StringComparison.Ordinal) && t.Name.Length > prefix.Length)) return null;
        string suggested = $"{key ?? "state_dict"}.{prefix[..^1]}";
        return $"PyTorch Lightning checkpoints: every tensor name starts with '{prefix}' (the LightningModule attribute " +
            $"holding the network); pass --key {suggested} to read them without it, or keep the prefix in the name map";
    }

    private static string Size(RunCheckpoint c) => InspectJson.SizeOrNull(c) is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "?";

    // "train_loss=0.358 test_loss=3.79 (+2)": the first few metrics of a checkpoint, for the table.
    private static string Compact(IReadOnlyDictionary<string, double>? metrics)
    {
        if (metrics is null || metrics.Count == 0) return "";
        const int shown = 3;
        string text = string.Join(" ", metrics.Take(shown).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:G3}")));
        return metrics.Count > shown ? $"{text} (+{metrics.Count - shown})" : text;
    }

    // Text from a file or a folder listing, for a table cell: control characters escaped (a name cannot clear the
    // screen or fake a line), then markup escaped.
    private static string Text(string text) => Markup.Escape(PrintableText.Escape(text));
}
