using DevInterp.Tasks;
using static TorchSharp.torch;

namespace DevInterp.Training;

/// <summary>
/// Task-level scalars recorded with each checkpoint beside <c>train_loss</c>: for a classification task the fraction of
/// training samples classified correctly (<c>train_accuracy</c>), and, for a task with a held-out set (modular
/// arithmetic), <c>test_loss</c> (the task's loss on that set) and, for classification, <c>test_accuracy</c>. A sample
/// counts as correct when the largest logit (at the last position, for a sequence model) is its class.
/// </summary>
public static class TaskMetrics
{
    /// <summary>The metrics of <paramref name="model"/> on the training set and, when given, the test set.</summary>
    public static IReadOnlyDictionary<string, double> Compute(nn.Module<Tensor, Tensor> model, TaskData train, TaskData? test)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        var metrics = new Dictionary<string, double>();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (train.IsClassification) metrics["train_accuracy"] = Accuracy(model.call(train.Inputs), train.Targets);
        if (test is not null)
        {
            var output = model.call(test.Inputs);
            metrics["test_loss"] = test.Loss(output, test.Targets).to_type(ScalarType.Float64).item<double>();
            if (test.IsClassification) metrics["test_accuracy"] = Accuracy(output, test.Targets);
        }
        return metrics;
    }

    /// <summary>Fraction of rows whose largest logit is the target class (logits [n, K], or [n, T, K]: the last position).</summary>
    public static double Accuracy(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var last = logits.dim() == targets.dim() + 2 ? logits.select(logits.dim() - 2, logits.shape[^2] - 1) : logits;
        return last.argmax(-1).eq(targets).to_type(ScalarType.Float64).mean().item<double>();
    }
}
