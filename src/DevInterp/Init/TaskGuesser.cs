using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DevInterp.Tasks;
using DevInterp.Tasks.Files;

namespace DevInterp.Init;

/// <summary>A proposed task spec (task.json) and what could not be inferred.</summary>
internal sealed record TaskGuess(CommentedJson Task, string Description, List<SetupChoice> Choices, List<string> Notes);

/// <summary>
/// Proposes a task from the data files a run keeps beside its checkpoints: pairs (a, b) of integers (pickled lists of
/// tuples, [n, 2] or [n, 3] arrays, two-column tables) become a <c>modular</c> task on the run's own split, with p, the
/// encoding and the "=" token read off the model; a table with a label column becomes a <c>file</c> task, keeping only
/// the classes the model has outputs for; no data gives a stub whose paths are to be filled in.
/// </summary>
internal static partial class TaskGuesser
{
    private sealed record DataFile(string Path, string Role, NumericArray? Table, bool Labelled, bool Pairs, string Describe);

    private static readonly string[] Operations = ["add", "subtract", "multiply", "divide"];

    private const long MaxInspectedBytes = 256L << 20;

    [GeneratedRegex(@"(metric|log|loss|histor|config|args|hparam|optim|schedul|event|result|summary|manifest)", RegexOptions.IgnoreCase)]
    private static partial Regex NotData();

    [GeneratedRegex(@"(weight|bias|\.W_|embed|layer|^fc|\.fc)", RegexOptions.IgnoreCase)]
    private static partial Regex ParameterName();

    /// <summary>Data files among <paramref name="files"/>: readable by the file task's readers and not a state dict or a log.</summary>
    public static TaskGuess Guess(IReadOnlyList<string> files, ModelGuess model, SetupHints hints, string taskFolder)
    {
        var data = files.Where(f => !NotData().IsMatch(System.IO.Path.GetFileName(f))).Select(Inspect).OfType<DataFile>().ToList();
        var notes = new List<string>();
        // Integer pairs are read as modular arithmetic only for a model that could take them (tokens, 2p or p inputs).
        long p = model.OutputSize;
        bool modularModel = model.IsTransformer || model.Vocab is not null || model.InputWidth == 2 * p || model.InputWidth == p;
        var pairs = modularModel ? data.Where(d => d.Pairs).ToList() : [];
        var labelled = data.Where(d => d.Labelled && !pairs.Contains(d)).ToList();
        if (pairs.Count > 0) return Modular(pairs, model, hints, taskFolder, notes, data);
        if (labelled.Count > 0) return Labelled(labelled, model, taskFolder, notes, data);
        return Stub(model, hints, data);
    }

    private static string Role(string path)
    {
        string stem = System.IO.Path.GetFileNameWithoutExtension(path).ToLowerInvariant();
        if (stem.Contains("train", StringComparison.Ordinal)) return "train";
        if (Regex.IsMatch(stem, "test|val|eval|holdout")) return "test";
        return "data";
    }

    private static DataFile? Inspect(string path)
    {
        var format = DataFormats.FromExtension(path);
        // Data files are read whole; a very large file beside the checkpoints is left for the user to name.
        if (format is null || new FileInfo(path).Length > MaxInspectedBytes) return null;
        try
        {
            using var file = SourceLoader.OpenFile(new DataFileRef(path), path);
            if (!file.IsTable && file.Names.Count > 1 && file.Names.Count(ParameterName().IsMatch) * 2 > file.Names.Count) return null; // a state dict
            var array = SourceLoader.DefaultInputNames.Any(file.Has) && SourceLoader.DefaultTargetNames.Any(file.Has)
                ? null : SourceLoader.Whole(file, "data");
            string name = System.IO.Path.GetFileName(path);
            if (array is null)
            {
                bool xy = SourceLoader.DefaultInputNames.Any(file.Has) && SourceLoader.DefaultTargetNames.Any(file.Has);
                return xy ? new DataFile(path, Role(path), null, true, false, $"{name}: inputs and targets ({file.Describe()})") : null;
            }
            if (array.Shape.Length != 2 || array.Rows == 0) return null;
            long width = array.Shape[1];
            bool integers = array.Values.All(v => v >= 0 && v == Math.Floor(v));
            bool pairs = integers && width is 2 or 3 && array.Values.Max() < 1 << 16;
            var last = array.Column((int)width - 1).Values;
            bool labelled = width >= 2 && last.All(v => v >= 0 && v == Math.Floor(v));
            string kind = pairs ? $"{array.Rows} integer rows of {width} (pairs (a, b){(width == 3 ? " and a third column" : "")})"
                : $"{array.Rows} rows of {width} columns{(labelled ? $", last column integer labels {last.Min()}..{last.Max()}" : "")}";
            return new DataFile(path, Role(path), array, labelled, pairs, $"{name}: {kind}");
        }
        catch (Exception e) when (e is DataFileException or ArgumentException or InvalidDataException or IOException)
        {
            return null;
        }
    }

    private static string Relative(string path, string folder) => System.IO.Path.GetRelativePath(folder, path).Replace('\\', '/');

    private static (DataFile Train, DataFile? Test) Split(List<DataFile> files, List<string> notes)
    {
        var train = files.FirstOrDefault(f => f.Role == "train") ?? files.FirstOrDefault(f => f.Role == "data") ?? files[0];
        var test = files.FirstOrDefault(f => f.Role == "test" && f != train);
        foreach (var other in files.Where(f => f != train && f != test))
            notes.Add($"not used: {other.Describe}");
        return (train, test);
    }

    // ------------------------------------------------------------------------------------------------ modular
    private static TaskGuess Modular(List<DataFile> pairs, ModelGuess model, SetupHints hints, string folder, List<string> notes, List<DataFile> all)
    {
        var choices = new List<SetupChoice>();
        var (train, test) = Split(pairs, notes);
        long p = model.OutputSize;
        var task = new CommentedJson();
        task.Header.AddRange([
            "Task spec proposed by `devinterp init`: modular arithmetic on the run's own (a, b) pairs (docs/tasks.md, \"modular\").",
            $"Found: {train.Describe}{(test is null ? "" : $"; {test.Describe}")}."]);
        task.Set("type", "modular");
        double max = new[] { train, test }.OfType<DataFile>().Max(f => f.Table!.Values.Where((_, i) => i % f.Table.Shape[1] < 2).Max());
        task.Set("p", p, max < p ? $"the model's {p} outputs; the pairs' values go up to {max}" : $"CHECK: the model has {p} outputs but the pairs go up to {max}");

        // The operation: labels in a third column decide it; else the run's metadata or names; else a choice.
        string? fromLabels = OperationFromLabels(train, p);
        var guessed = hints.Operation();
        if (fromLabels is not null) task.Set("operation", fromLabels, $"the third column of {System.IO.Path.GetFileName(train.Path)} holds a ∘ b mod p for this operation");
        else if (guessed is { Certain: true }) task.Set("operation", guessed.Value, $"from {guessed.Source}");
        else if (guessed is not null) task.Set("operation", guessed.Value, $"CHECK: guessed from {guessed.Source}; the pairs carry no labels");
        else
        {
            var choice = new SetupChoice("task.json", "operation", [.. Operations, "polynomial"], "the pair files hold (a, b) without labels, and neither the checkpoint nor the names say the operation");
            choices.Add(choice);
            task.Set("operation", choice.Placeholder, "CHOOSE: what the run computed from (a, b), mod p (polynomial also needs \"polynomial\": \"a^2 + b^2\"-style)");
        }

        // The encoding: what the model takes.
        if (model.IsTransformer || model.Vocab is not null)
        {
            bool equals = model.IsTransformer ? model.Vocab == p + 1 && (model.SequenceLength ?? 3) >= 3 : model.SequenceLength == 3;
            task.Set("encoding", "tokens", model.IsTransformer ? "the transformer takes token ids" : "the MLP embeds token ids");
            task.Set("equals_token", equals, model.IsTransformer
                ? equals ? $"vocab {model.Vocab} = p + 1: the \"=\" token p follows a and b" : $"vocab {model.Vocab}: no \"=\" token"
                : model.SequenceLength is { } k ? $"the first layer takes {k} embeddings" : "CHECK: summed embeddings; set true if the run appended the \"=\" token");
        }
        else if (model.InputWidth == 2 * p) task.Set("encoding", "concat", $"the model takes 2p = {2 * p} inputs: one-hot a, then one-hot b");
        else if (model.InputWidth == p) task.Set("encoding", "sum", $"the model takes p = {p} inputs: one-hot a plus one-hot b");
        else
        {
            var choice = new SetupChoice("task.json", "encoding", ["concat", "sum", "tokens"], $"the model takes {model.InputWidth} inputs, neither 2p = {2 * p} (concat) nor p (sum)");
            choices.Add(choice);
            task.Set("encoding", choice.Placeholder, "CHOOSE: how (a, b) is shown to the model");
        }
        task.Set("train", Relative(train.Path, folder), "the run's training pairs");
        if (test is not null) task.Set("test", Relative(test.Path, folder), "the run's held-out pairs");
        return new TaskGuess(task, $"modular arithmetic mod {p} on {System.IO.Path.GetFileName(train.Path)} ({train.Table!.Rows} pairs){(test is null ? "" : $" and {System.IO.Path.GetFileName(test.Path)} ({test.Table!.Rows})")}", choices, notes);
    }

    /// <summary>The operation whose a ∘ b mod p is the third column of every row, when exactly one is.</summary>
    private static string? OperationFromLabels(DataFile file, long p)
    {
        var t = file.Table!;
        if (t.Shape[1] != 3 || t.Values.Where((_, i) => i % 3 == 2).Distinct().Count() <= 1) return null;
        var fits = Operations.Where(op =>
        {
            var spec = new ModularTaskSpec((int)p, Enum.Parse<ModularOperation>(op, ignoreCase: true), 1, 0);
            for (long r = 0; r < t.Rows; r++)
            {
                double a = t.Values[3 * r], b = t.Values[3 * r + 1], c = t.Values[3 * r + 2];
                if (a >= p || b >= p || (op == "divide" && b == 0)) return false;
                try
                {
                    if (spec.Answer((int)a, (int)b) != c) return false;
                }
                catch (ArgumentException)
                {
                    return false;
                }
            }
            return true;
        }).ToList();
        return fits.Count == 1 ? fits[0] : null;
    }

    // ------------------------------------------------------------------------------------------------ labelled tables
    private static TaskGuess Labelled(List<DataFile> files, ModelGuess model, string folder, List<string> notes, List<DataFile> all)
    {
        var (train, test) = Split(files, notes);
        var task = new CommentedJson();
        task.Header.AddRange([
            "Task spec proposed by `devinterp init`: the run's data files, the last column as the label (docs/tasks.md, \"file\").",
            $"Found: {train.Describe}{(test is null ? "" : $"; {test.Describe}")}."]);
        task.Set("type", "file");
        task.Set("train", Relative(train.Path, folder), "inputs: every column but the last; targets: the last column");
        if (test is not null) task.Set("test", Relative(test.Path, folder));
        bool classes = model.OutputSize > 1 || train.Table is null;
        task.Set("loss", classes ? "cross_entropy" : "mse", classes ? $"integer labels and a model with {model.OutputSize} outputs" : "CHECK: one output: a regression");
        if (model.Vocab is not null) task.Set("input_type", "tokens", "the model takes token ids");
        if (train.Table is { } table && classes)
        {
            double maxLabel = new[] { train, test }.OfType<DataFile>().Where(f => f.Table is not null).Max(f => f.Table!.Column((int)f.Table.Shape[1] - 1).Values.Max());
            if (maxLabel >= model.OutputSize)
            {
                task.Set("where", $"target < {model.OutputSize}",
                    $"CHECK: the data have labels up to {maxLabel} but the model has {model.OutputSize} outputs, so the run trained on the classes below {model.OutputSize};",
                    "if it renumbered other classes instead, keep those with \"where\" and map them with \"relabel\"");
            }
            if (model.InputWidth is { } w && table.Shape[1] - 1 != w)
                notes.Add($"{System.IO.Path.GetFileName(train.Path)} has {table.Shape[1] - 1} input columns but the model takes {w} inputs: choose the input columns with \"inputs\" in task.json");
        }
        return new TaskGuess(task, $"a {(classes ? "classification" : "regression")} task on {System.IO.Path.GetFileName(train.Path)}{(test is null ? "" : $" and {System.IO.Path.GetFileName(test.Path)}")}", [], notes);
    }

    // ------------------------------------------------------------------------------------------------ no data
    private static TaskGuess Stub(ModelGuess model, SetupHints hints, List<DataFile> found)
    {
        var choices = new List<SetupChoice>();
        var notes = found.Select(f => $"data file not understood: {f.Describe}").ToList();
        var task = new CommentedJson();
        long p = model.OutputSize;
        bool modular = (model.IsTransformer && model.Vocab == p + 1) || model.InputWidth == 2 * p;
        if (modular)
        {
            task.Header.Add("Task spec proposed by `devinterp init`: the model's shapes fit modular arithmetic, but the run folder holds no pair files.");
            task.Header.Add("The split below is DevInterp's seeded split, not the run's: point \"train\"/\"test\" at the run's pair files if you have them (docs/tasks.md).");
            task.Set("type", "modular");
            task.Set("p", p, $"the model's {p} outputs");
            var op = hints.Operation();
            if (op is not null) task.Set("operation", op.Value, $"{(op.Certain ? "" : "CHECK: guessed ")}from {op.Source}");
            else
            {
                var choice = new SetupChoice("task.json", "operation", [.. Operations, "polynomial"], "no data files and nothing in the run says the operation");
                choices.Add(choice);
                task.Set("operation", choice.Placeholder, "CHOOSE: what the run computed from (a, b), mod p");
            }
            var fraction = new SetupChoice("task.json", "train_fraction", ["a number in (0, 1]"], "the run's training fraction is not stored with the checkpoints");
            choices.Add(fraction);
            task.Set("train_fraction", fraction.Placeholder, "CHOOSE: the fraction of all pairs the run trained on");
            task.Set("seed", 0, "the split's seed (DevInterp's split cannot reproduce another program's shuffle)");
            task.Set("encoding", model.IsTransformer ? "tokens" : "concat");
            return new TaskGuess(task, $"modular arithmetic mod {p} (no data files found)", choices, notes);
        }
        task.Header.Add("Task spec stub written by `devinterp init`: no data file was found beside the checkpoints. Point \"train\" at the training data (docs/tasks.md, \"file\").");
        task.Set("type", "file");
        var path = new SetupChoice("task.json", "train", ["the path of the training data file"], "no data file was found in the run folder");
        choices.Add(path);
        task.Set("train", path.Placeholder, "CHOOSE: a data file (safetensors, .pt, .npy, .npz, CSV, text, Arrow), relative to this file");
        task.Set("loss", model.OutputSize > 1 ? "cross_entropy" : "mse", "CHECK: cross_entropy for class labels, mse for regression");
        if (model.Vocab is not null) task.Set("input_type", "tokens", "the model takes token ids");
        return new TaskGuess(task, "no data files found: a stub", choices, notes);
    }
}
