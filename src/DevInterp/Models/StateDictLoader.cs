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
                source = item.Rule is { ChangesLayout: true } rule ? rule.Apply(source) : item.Transposed ? source.t() : source;
                if (item.Rule?.Part is var (index, count))
                {
                    long length = target.shape[0] / count;
                    target = target.narrow(0, index * length, length);
                }
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

        // Targets filled slice by slice (NameRule.Part): which slices have a source so far.
        var parts = new Dictionary<string, string?[]>();
        foreach (var info in reader.Tensors)
        {
            if (map.IsIgnored(info.Name))
            {
                ignored.Add(info.Name);
                continue;
            }
            var (target, rule) = map.Resolve(info.Name);
            bool transpose = rule?.Transpose ?? false;
            string shown = target == info.Name ? $"'{info.Name}'" : $"'{info.Name}' (mapped to '{target}')";
            if (!targets.TryGetValue(target, out var tensor))
            {
                unexpected.Add(info.Name);
                unexpectedShown.Add(shown);
                continue;
            }
            if (rule?.Part is var (index, count))
            {
                var slots = parts.TryGetValue(target, out var s) ? s : parts[target] = new string?[count];
                if (slots.Length != count)
                {
                    otherProblems.Add($"{shown} is part {index} of {count}, but another rule splits '{target}' into {slots.Length}");
                    continue;
                }
                if (slots[index] is { } earlier)
                {
                    otherProblems.Add($"'{earlier}' and '{info.Name}' both map to part {index} of '{target}'");
                    continue;
                }
                slots[index] = info.Name;
                sourceOf.TryAdd(target, info.Name);
            }
            else if (sourceOf.TryGetValue(target, out string? first))
            {
                otherProblems.Add($"'{first}' and '{info.Name}' both map to '{target}'");
                continue;
            }
            else sourceOf[target] = info.Name;
            if (!info.DType.IsSupported())
            {
                otherProblems.Add($"{shown} has dtype {info.DType.SafetensorsCode()}, which cannot be read");
                continue;
            }
            var (shape, problem) = rule is null ? (info.Shape.ToArray(), null) : rule.Reshape(info.Shape);
            if (shape is null)
            {
                otherProblems.Add($"{shown} {problem}");
                continue;
            }
            long[] expected = tensor.shape;
            if (rule?.Part is var (_, parts2))
            {
                if (expected.Length == 0 || expected[0] % parts2 != 0)
                {
                    otherProblems.Add($"{shown} is one of {parts2} slices of '{target}' [{string.Join(", ", expected)}], whose first dimension does not divide into {parts2}");
                    continue;
                }
                expected = [expected[0] / parts2, .. expected[1..]];
            }
            if (!shape.SequenceEqual(expected))
            {
                string note = rule is { ChangesLayout: true } ? $" ({info.ShapeText} before {(rule.Permute is null && rule.Flatten is null ? "transposing" : "reshaping")})" : "";
                string what = rule?.Part is var (i, n) ? $"part {i} of {n} of the module's [{string.Join(", ", tensor.shape)}], i.e. [{string.Join(", ", expected)}]" : $"[{string.Join(", ", expected)}]";
                shapeProblems.Add($"{shown} is [{string.Join(", ", shape)}]{note}, the module expects {what}");
                continue;
            }
            loaded.Add(new LoadedTensor(info.Name, target, transpose) { Rule = rule });
        }
        foreach (var (target, slots) in parts)
        {
            var absent = Enumerable.Range(0, slots.Length).Where(i => slots[i] is null).ToList();
            if (absent.Count > 0)
                otherProblems.Add($"'{target}' is filled from {slots.Length} parts, but part{(absent.Count == 1 ? "" : "s")} {string.Join(", ", absent)} {(absent.Count == 1 ? "is" : "are")} missing from the checkpoint (present: {string.Join(", ", slots.OfType<string>().Select(n => $"'{n}'"))})");
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
