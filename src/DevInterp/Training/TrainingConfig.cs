using System.Text.Json.Nodes;
using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Tasks;

namespace DevInterp.Training;

/// <summary>
/// Everything <see cref="Trainer"/> needs: a run name, the model, the task and the training settings. Its JSON form is a
/// run manifest without checkpoints: <c>{"name": ..., "model": {...}, "task": {...}, "training": {...}}</c>.
/// </summary>
/// <param name="Name">Run name (written into the manifest).</param>
/// <param name="Model">What to train.</param>
/// <param name="Task">On what data.</param>
/// <param name="Training">How.</param>
public sealed record TrainingConfig(string Name, ModelSpec Model, TaskSpec Task, TrainingSettings Training)
{
    private const string SpecName = "training config";

    /// <summary>Reads the JSON form; errors name the field (model.widths, task.n_train, training.lr, ...).</summary>
    public static TrainingConfig Parse(JsonObject json) => Parse(json, null);

    /// <summary>Reads the JSON form; relative data paths of a <c>file</c> task resolve against <paramref name="baseDirectory"/>.</summary>
    public static TrainingConfig Parse(JsonObject json, string? baseDirectory)
    {
        var r = new SpecReader(json, SpecName);
        string name = r.OptionalString("name", "run")!;
        var model = Section(r, "model", ModelSpec.Parse);
        var task = Section(r, "task", t => TaskSpec.Parse(t, baseDirectory));
        var training = Section(r, "training", TrainingSettings.Parse);
        r.RejectUnknown();
        var config = new TrainingConfig(name, model, task, training);
        config.Validate();
        return config;
    }

    /// <summary>Reads a config file (or a run manifest, whose checkpoints are ignored).</summary>
    public static TrainingConfig FromJsonFile(string path) => SpecReader.FromFile(path, SpecName, json =>
    {
        json = (JsonObject)json.DeepClone();
        foreach (string key in new[] { "checkpoints", "format", "version", "key" }) json.Remove(key);
        return Parse(json, Path.GetDirectoryName(Path.GetFullPath(path)));
    });

    /// <summary>The config of an existing run, from its manifest.</summary>
    public static TrainingConfig FromManifest(RunManifest manifest)
    {
        if (manifest.Model is null || manifest.Task is null || manifest.Training is null)
            throw new SpecFormatException(SpecName, manifest.Model is null ? "model" : manifest.Task is null ? "task" : "training", "the manifest does not record it");
        return Parse(new JsonObject
        {
            ["name"] = manifest.Name,
            ["model"] = manifest.Model.DeepClone(),
            ["task"] = manifest.Task.DeepClone(),
            ["training"] = manifest.Training.DeepClone(),
        });
    }

    /// <summary>The JSON form.</summary>
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["model"] = Model.ToJson(),
        ["task"] = Task.ToJson(),
        ["training"] = Training.ToJson(),
    };

    /// <summary>Checks that the model fits the task and the settings are usable.</summary>
    /// <exception cref="SpecFormatException">Naming the first field at fault.</exception>
    public void Validate()
    {
        Training.Validate();
        if (Task.TokenInputs)
        {
            if (Model.InputSize is not null)
                throw new SpecFormatException(SpecName, "model.type", $"the '{Task.Type}' task gives tokens; it needs a model of tokens (transformer), not '{Model.Type}'");
            // A sequence model may have more logits than classes (e.g. the "=" token of the vocabulary).
            if (Task.OutputSize is { } classes && Model.OutputSize < classes)
                throw new SpecFormatException(SpecName, "model", $"the model's {Model.OutputSize} outputs are fewer than the task's {classes} classes");
            return;
        }
        if (Model.InputSize is not { } input)
            throw new SpecFormatException(SpecName, "model.type", $"a '{Model.Type}' model takes tokens; the '{Task.Type}' task needs a model of vectors (mlp, dln, tms)");
        if (Task.InputSize is { } taskInput && input != taskInput)
            throw new SpecFormatException(SpecName, "model", $"the model's input width {input} differs from the task's {taskInput}");
        if (Task.OutputSize is { } taskOutput && Model.OutputSize != taskOutput)
            throw new SpecFormatException(SpecName, "model", $"the model's output width {Model.OutputSize} differs from the task's {taskOutput}");
    }

    private static T Section<T>(SpecReader r, string field, Func<JsonObject, T> parse)
    {
        var json = r.OptionalObject(field) ?? throw r.Error(field, "required (an object)");
        try
        {
            return parse(json);
        }
        catch (SpecFormatException e)
        {
            throw new SpecFormatException(SpecName, $"{field}.{e.Field}", e.Reason, e);
        }
    }
}
