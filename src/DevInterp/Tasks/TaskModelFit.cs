using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tasks;

/// <summary>
/// Checks, before any sampling, that a task's data fit a model: float features of the model's input width, or int64
/// token ids below its vocabulary in a sequence length it accepts; class indices below its number of outputs, or
/// regression targets of its output width. A mismatch would otherwise surface deep inside libtorch (an index out of
/// range with a C++ stack trace) or as a shape error about a tensor the user never named; here it is one line naming
/// the data file and the fix.
/// </summary>
public static class TaskModelFit
{
    /// <summary>Checks the inputs and targets of <paramref name="data"/> against <paramref name="model"/>.</summary>
    /// <param name="data">A split of the task.</param>
    /// <param name="model">The model the checkpoints are loaded into.</param>
    /// <param name="split">The split's name for messages ("training", "test").</param>
    /// <exception cref="TaskFitException">The data do not fit.</exception>
    public static void Check(TaskData data, ModelSpec model, string split = "training")
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(model);
        CheckInputs(data.Inputs, model, data.InputsSource ?? "task", $"the {split} inputs");
        CheckTargets(data, model, split);
    }

    /// <summary>Checks inputs (a task's, or a probe batch) against <paramref name="model"/>.</summary>
    /// <param name="inputs">Samples first.</param>
    /// <param name="model">The model.</param>
    /// <param name="source">The file they came from, or "task".</param>
    /// <param name="what">What they are, for messages ("the probe inputs").</param>
    /// <exception cref="TaskFitException">They do not fit.</exception>
    public static void CheckInputs(Tensor inputs, ModelSpec model, string source, string what)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(model);
        string shape = $"[{string.Join(", ", inputs.shape)}]";
        if (model.TokenVocabulary is { } vocab)
        {
            if (inputs.is_floating_point())
            {
                throw new TaskFitException(source,
                    $"{what} are float features {shape}, but the {model.Type} model takes int64 token ids below {vocab}; " +
                    "give the task integer tokens (\"input_type\": \"tokens\" for a file task, \"encoding\": \"tokens\" for a modular task)");
            }
            if (inputs.dim() != 2)
                throw new TaskFitException(source, $"{what} have shape {shape}; the {model.Type} model takes token ids [samples, sequence]");
            if (model.RejectSequenceLength(inputs.shape[1]) is { } accepted)
                throw new TaskFitException(source, $"{what} are sequences of {inputs.shape[1]} tokens, but the {model.Type} model takes {accepted}; check the model spec or the task's encoding");
            if (inputs.numel() > 0)
            {
                long min = inputs.min().item<long>(), max = inputs.max().item<long>();
                if (min < 0 || max >= vocab)
                    throw new TaskFitException(source, $"{what} hold token ids from {min} to {max}, but the model's vocabulary is {vocab} (ids 0 to {vocab - 1}); check \"vocab\" in the model spec or the task's tokens");
            }
            return;
        }
        long width = model.InputSize ?? throw new ArgumentException($"model {model.Type} declares neither an input width nor a vocabulary", nameof(model));
        if (!inputs.is_floating_point())
        {
            string hint = inputs.dim() == 2 && inputs.shape[1] <= 3
                ? $"; for modular arithmetic choose a one-hot encoding (\"encoding\": \"concat\" gives 2p features, \"sum\" gives p)"
                : "; a file task reads its inputs as features unless \"input_type\" is \"tokens\"";
            throw new TaskFitException(source, $"{what} are integer tokens {shape}, but the {model.Type} model takes {width} float features{hint}");
        }
        if (inputs.dim() < 2)
        {
            throw new TaskFitException(source,
                $"{what} have shape {shape}: one number per sample, but the {model.Type} model takes {width} features per sample; " +
                "choose the input columns with \"inputs\" in the task (docs/tasks.md)");
        }
        if (inputs.shape[^1] != width)
        {
            throw new TaskFitException(source,
                $"{what} have {inputs.shape[^1]} features per sample (shape {shape}), but the {model.Type} model takes {width}; " +
                "check the input columns of the task (\"inputs\") or the model's input width");
        }
    }

    private static void CheckTargets(TaskData data, ModelSpec model, string split)
    {
        string source = data.TargetsSource ?? "task";
        var targets = data.Targets;
        long outputs = model.OutputSize;
        if (data.IsClassification)
        {
            if (targets.numel() == 0) return;
            using var flat = targets.reshape(-1);
            long max = flat.max().item<long>(), min = flat.min().item<long>();
            if (min < 0)
                throw new TaskFitException(source, $"the {split} targets include the class index {min}; class indices start at 0");
            if (max >= outputs)
            {
                long row = flat.argmax().item<long>();
                throw new TaskFitException(source,
                    $"class index {max} (sample {row} of the {split} split) is not below the model's {outputs} outputs; " +
                    $"keep only the classes the model was trained on (\"where\": \"target < {outputs}\" in a file task) or renumber them (\"relabel\"), or check the model's output width");
            }
            return;
        }
        long width = targets.dim() < 2 ? 1 : targets.shape[^1];
        if (width != outputs)
        {
            throw new TaskFitException(source,
                $"the {split} targets have {width} value{(width == 1 ? "" : "s")} per sample (shape [{string.Join(", ", targets.shape)}]), but the {model.Type} model has {outputs} outputs; " +
                "check the target columns of the task (\"targets\") or the loss (cross_entropy for class labels)");
        }
    }
}
