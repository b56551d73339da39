using DevInterp.Checkpoints;
using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>
/// Copies checkpoint tensors into any TorchSharp module's parameters and buffers (its <c>state_dict()</c>), by name,
/// after an optional <see cref="NameMap"/>. Every problem is found before anything is copied, so a failed load leaves
/// the module untouched and names all problems at once. Values are converted to each target's dtype and copied under
/// <c>no_grad</c>: parameters keep <c>requires_grad</c> and gain no autograd history.
/// </summary>
public static class StateDictLoader
{
    private const int MaxListed = 20;

    /// <summary>Loads an open checkpoint into <paramref name="module"/>.</summary>
    /// <exception cref="CheckpointFormatException">
    /// The checkpoint does not fit (message: file, then every missing, unexpected, wrongly shaped or unreadable tensor).
    /// </exception>
    public static StateDictLoadResult Load(nn.Module module, ICheckpointReader reader, StateDictLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(reader);
        options ??= StateDictLoadOptions.Default;
        var targets = module.state_dict();
        var plan = Plan(module, targets, reader, options);
        if (plan.Problems.Count > 0)
            throw new CheckpointFormatException(reader.Path, $"does not fit {Describe(module)}: {string.Join("; ", plan.Problems)}");

        using (no_grad())
        {
            foreach (var item in plan.Result.Loaded)
            {
                using var scope = NewDisposeScope();
                var target = targets[item.Target];
                var source = reader.ReadTorch(item.Source);
                if (item.Transposed) source = source.t();
                target.copy_(source.to_type(target.dtype));
            }
        }
        return plan.Result;
    }

    /// <summary>Opens a checkpoint file (any supported format) and loads it into <paramref name="module"/>.</summary>
    public static StateDictLoadResult Load(nn.Module module, string path, StateDictLoadOptions? options = null, CheckpointOpenOptions? open = null)
    {
        using var reader = CheckpointFile.Open(path, open);
        return Load(module, reader, options);
    }

    /// <summary>
    /// Matches without copying: the result a load would return, and the problems (empty when a load would succeed).
    /// </summary>
    public static (StateDictLoadResult Result, IReadOnlyList<string> Problems) Check(nn.Module module, ICheckpointReader reader, StateDictLoadOptions? options = null)
    {
        var plan = Plan(module, module.state_dict(), reader, options ?? StateDictLoadOptions.Default);
        return (plan.Result, plan.Problems);
    }

    private sealed record LoadPlan(StateDictLoadResult Result, List<string> Problems);

    private static LoadPlan Plan(nn.Module module, Dictionary<string, Tensor> targets, ICheckpointReader reader, StateDictLoadOptions options)
    {
        var map = options.Map ?? NameMap.Empty;
        var loaded = new List<LoadedTensor>();
        var unexpected = new List<string>();
        var unexpectedShown = new List<string>();
        var ignored = new List<string>();
        var shapeProblems = new List<string>();
        var otherProblems = new List<string>();
        var sourceOf = new Dictionary<string, string>();

        foreach (var info in reader.Tensors)
        {
            if (map.IsIgnored(info.Name))
            {
                ignored.Add(info.Name);
                continue;
            }
            var (target, transpose) = map.Map(info.Name);
            string shown = target == info.Name ? $"'{info.Name}'" : $"'{info.Name}' (mapped to '{target}')";
            if (!targets.TryGetValue(target, out var tensor))
            {
                unexpected.Add(info.Name);
                unexpectedShown.Add(shown);
                continue;
            }
            if (sourceOf.TryGetValue(target, out string? first))
            {
                otherProblems.Add($"'{first}' and '{info.Name}' both map to '{target}'");
                continue;
            }
            sourceOf[target] = info.Name;
            if (!info.DType.IsSupported())
            {
                otherProblems.Add($"{shown} has dtype {info.DType.SafetensorsCode()}, which cannot be read");
                continue;
            }
            var shape = info.Shape.ToArray();
            if (transpose)
            {
                if (shape.Length != 2)
                {
                    otherProblems.Add($"{shown} is to be transposed but has {shape.Length} dimensions {info.ShapeText}");
                    continue;
                }
                shape = [shape[1], shape[0]];
            }
            if (!shape.SequenceEqual(tensor.shape))
            {
                string note = transpose ? $" ({info.ShapeText} before transposing)" : "";
                shapeProblems.Add($"{shown} is [{string.Join(", ", shape)}]{note}, the module expects [{string.Join(", ", tensor.shape)}]");
                continue;
            }
            loaded.Add(new LoadedTensor(info.Name, target, transpose));
        }

        var missing = targets.Keys.Where(k => !sourceOf.ContainsKey(k)).ToList();
        var result = new StateDictLoadResult(loaded, missing, unexpected, ignored);
        var problems = new List<string>();
        if (options.Strict)
        {
            if (missing.Count > 0) problems.Add($"missing from the checkpoint ({missing.Count}): {List(missing.Select(m => $"'{m}'"))}");
            if (unexpected.Count > 0) problems.Add($"unexpected in the checkpoint ({unexpected.Count}): {List(unexpectedShown)}");
        }
        if (shapeProblems.Count > 0) problems.Add($"shape mismatch ({shapeProblems.Count}): {List(shapeProblems)}");
        problems.AddRange(otherProblems);
        if (problems.Count > 0 && options.Map is null && missing.Count > 0 && unexpected.Count > 0)
            problems.Add("names differ: pass a name map (see docs/models.md, 'Loading checkpoints')");
        return new LoadPlan(result, problems);
    }

    private static string List(IEnumerable<string> items)
    {
        var list = items.ToList();
        string text = string.Join(", ", list.Take(MaxListed));
        return list.Count > MaxListed ? $"{text}, ... ({list.Count} in all)" : text;
    }

    private static string Describe(nn.Module module)
    {
        string name = module.GetName();
        return string.IsNullOrEmpty(name) ? module.GetType().Name : name;
    }
}
