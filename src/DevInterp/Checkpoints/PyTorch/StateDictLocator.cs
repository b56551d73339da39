using System.Globalization;
using System.Numerics;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>The tensors chosen as the state dict, and the scalars found beside them.</summary>
/// <param name="Tensors">Tensors with dotted names relative to the chosen dict, in file order.</param>
/// <param name="Metadata">Python scalars outside the tensors (epoch, loss, config.hidden_size), with dotted paths from the root.</param>
/// <param name="ScalarTensors">0-dimensional tensors outside the state dict; the reader turns their values into metadata.</param>
internal sealed record LocatedStateDict(
    IReadOnlyList<(string Name, TorchTensorRef Tensor)> Tensors,
    IReadOnlyList<(string Name, MetadataValue Value)> Metadata,
    IReadOnlyList<(string Name, TorchTensorRef Tensor)> ScalarTensors);

/// <summary>
/// Finds the state dict inside whatever object a checkpoint pickles. With a key path (<c>model</c>,
/// <c>module.state_dict</c>, <c>runs.0</c>) it takes that entry. Without one, the candidates are the maximal dicts
/// reachable from the root whose leaves, through nested string-keyed dicts, are all tensors; optimizer state (a dict with
/// <c>state</c> and <c>param_groups</c>, or a key path mentioning optim/scheduler) is skipped. Exactly one candidate is
/// used (a single-entry wrapper such as <c>{"my_state_dict": {"fc.weight": ...}}</c> is unwrapped, so names match the
/// inner state dict); none or several is an error that says what the file holds. A bare tensor at the root is one tensor
/// named <c>tensor</c>.
/// </summary>
internal static class StateDictLocator
{
    /// <summary>Name given to a tensor pickled on its own (<c>torch.save(t, f)</c>).</summary>
    public const string RootTensorName = "tensor";

    public const int MaxDepth = CheckpointLimits.MaxNestingDepth;
    public const int MaxVisits = 2_000_000;
    public const int MaxMetadataEntries = 10_000;
    public const int MaxMetadataTextLength = 4096;

    public static LocatedStateDict Locate(object root, string? key, string path)
    {
        var walk = new Walk(path);
        List<(string, TorchTensorRef)> tensors;
        object? chosen;
        if (!string.IsNullOrEmpty(key))
        {
            chosen = walk.Resolve(root, key);
            tensors = [];
            if (chosen is TorchTensorRef single) tensors.Add((key, single));
            else if (chosen is PyDict dict)
            {
                walk.Flatten(dict, "", tensors, 0, stringKeysOnly: false);
                if (tensors.Count == 0) throw walk.Fail($"key '{key}' holds no tensors ({Describe(dict)})");
            }
            else throw walk.Fail($"key '{key}' is a {PyTypes.Name(chosen)}, not a state dict or tensor");
        }
        else if (root is TorchTensorRef rootTensor)
        {
            chosen = rootTensor;
            tensors = [(RootTensorName, rootTensor)];
        }
        else
        {
            chosen = walk.FindSingleCandidate(root);
            tensors = [];
            walk.Flatten((PyDict)chosen, "", tensors, 0, stringKeysOnly: true);
        }

        var metadata = new List<(string, MetadataValue)>();
        var scalarTensors = new List<(string, TorchTensorRef)>();
        var inStateDict = new HashSet<TorchTensorRef>(tensors.Count, ReferenceEqualityComparer.Instance);
        foreach (var (_, tensor) in tensors) inStateDict.Add(tensor);
        if (root is PyDict rootDict) walk.CollectMetadata(rootDict, "", metadata, scalarTensors, inStateDict, 0);
        return new LocatedStateDict(tensors, metadata, scalarTensors);
    }

    /// <summary>True for a <c>torch.optim</c> state dict.</summary>
    public static bool IsOptimizerState(PyDict dict) =>
        dict.TryGetValue("state", out _) && dict.TryGetValue("param_groups", out _);

    /// <summary>True when a key path names optimizer or scheduler state.</summary>
    public static bool IsOptimizerPath(string dottedPath)
    {
        string lower = dottedPath.ToLowerInvariant();
        return lower.Contains("optim", StringComparison.Ordinal) || lower.Contains("scheduler", StringComparison.Ordinal);
    }

    /// <summary>A short description of a value: "a dict with keys 'epoch' (int), 'model' (dict of 4 entries)".</summary>
    public static string Describe(object value)
    {
        switch (value)
        {
            case PyDict d when d.Count == 0:
                return "an empty dict";
            case PyDict d:
                {
                    var parts = d.Entries.Take(12).Select(e => $"{KeyRepr(e.Key)} ({TypeSummary(e.Value)})");
                    string more = d.Count > 12 ? $", ... ({d.Count} keys in all)" : "";
                    return $"a dict with keys {string.Join(", ", parts)}{more}";
                }
            case PyList l: return $"a list of {l.Items.Count} items";
            case PyTuple t: return $"a tuple of {t.Count} items";
            default: return $"a {PyTypes.Name(value)}";
        }
    }

    private static string TypeSummary(object value) => value switch
    {
        PyDict d => $"dict of {d.Count} entries",
        PyList l => $"list of {l.Items.Count}",
        PyTuple t => $"tuple of {t.Count}",
        TorchTensorRef t => $"tensor [{string.Join(", ", t.Shape)}]",
        _ => PyTypes.Name(value),
    };

    private static string KeyRepr(object key) => key is string s ? $"'{s}'" : KeyText(key) ?? PyTypes.Name(key);

    /// <summary>A dict key as a name component: strings as they are, integers in decimal; null for other keys.</summary>
    public static string? KeyText(object key) => key switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        BigInteger b => b.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        _ => null,
    };

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>One traversal, with a depth limit and a visit budget so cyclic or exponentially shared pickles end quickly.</summary>
    private sealed class Walk(string path)
    {
        // A plain dictionary, not a weak table: the walk lives for one Locate call (a ConditionalWeakTable entry is a
        // GC handle, which cost more than the rest of locating a small state dict).
        private readonly Dictionary<PyDict, bool> _qualifies = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<PyDict> _inProgress = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<PyDict> _searched = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<PyDict> _collected = new(ReferenceEqualityComparer.Instance);
        private int _visits;

        public CheckpointFormatException Fail(string reason) => new(path, reason);

        private void Visit(int depth)
        {
            if (depth > MaxDepth) throw Fail($"dicts nested deeper than {MaxDepth} levels (corrupt or hostile pickle)");
            if (++_visits > MaxVisits) throw Fail($"more than {MaxVisits} dict entries to search (cyclic or hostile pickle)");
        }

        public object Resolve(object root, string key)
        {
            string[] parts = key.Split('.');
            object node = root;
            string walked = "";
            int start = 0;
            while (start < parts.Length)
            {
                Visit(start);
                if (node is not PyDict dict)
                    throw Fail($"key '{key}' not found: {(walked.Length == 0 ? "the root" : $"'{walked}'")} is a {PyTypes.Name(node)}, not a dict");
                bool found = false;
                // Longest match first, so keys that themselves contain dots ("module.state_dict") still resolve.
                for (int end = parts.Length; end > start && !found; end--)
                {
                    string candidate = string.Join('.', parts[start..end]);
                    if (dict.TryGetValue(candidate, out object? value) ||
                        (long.TryParse(candidate, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number) && dict.TryGetValue(number, out value)))
                    {
                        node = value;
                        walked = Join(walked, candidate);
                        start = end;
                        found = true;
                    }
                }
                if (!found && PrefixView(dict, string.Join('.', parts[start..])) is { } view)
                {
                    // {"model.0.weight": ...} with key "model": the entries under that name prefix, without it
                    // (a flat state dict's submodule, such as a LightningModule's self.model).
                    return view;
                }
                if (!found)
                {
                    string where = walked.Length == 0 ? "the file holds" : $"'{walked}' holds";
                    throw Fail($"key '{key}' not found: {where} {Describe(dict)}");
                }
            }
            return node;
        }

        private static bool AllScalars(PyDict dict) => dict.Entries.All(e => e.Value switch
        {
            TorchTensorRef t => t.Shape.Length == 0,
            PyDict d => AllScalars(d),
            _ => true,
        });

        private static PyDict? PrefixView(PyDict dict, string prefix)
        {
            PyDict? view = null;
            foreach (var (k, v) in dict.Entries)
            {
                if (k is string name && name.Length > prefix.Length + 1 && name.StartsWith(prefix, StringComparison.Ordinal) && name[prefix.Length] == '.')
                    (view ??= new PyDict()).Set(name[(prefix.Length + 1)..], v);
            }
            return view;
        }

        public PyDict FindSingleCandidate(object root)
        {
            if (root is not PyDict rootDict) throw Fail($"no state dict found: the file holds {Describe(root)}");
            var candidates = new List<(string Path, PyDict Dict)>();
            var skipped = new List<string>();
            Search(rootDict, "", candidates, skipped, 0);
            // Dicts of 0-d tensors beside the weights are scores, not a second model (Lightning's
            // callbacks.ModelCheckpoint.best_k_models maps file paths to tensor(val_loss)).
            if (candidates.Count > 1 && candidates.Any(c => !AllScalars(c.Dict)))
                candidates.RemoveAll(c => AllScalars(c.Dict));
            if (candidates.Count == 1) return candidates[0].Dict;
            if (candidates.Count > 1)
            {
                string list = string.Join(", ", candidates.Take(12).Select(c => $"'{(c.Path.Length == 0 ? "<root>" : c.Path)}'"));
                throw Fail($"several state dicts found: {list}; pass --key with the one to use");
            }
            if (IsOptimizerState(rootDict))
                throw Fail("this is a torch.optim optimizer state_dict, not model weights (it holds 'state' and 'param_groups')");
            string note = skipped.Count > 0
                ? $" (skipped optimizer/scheduler state at {string.Join(", ", skipped.Take(6).Select(s => $"'{s}'"))}; pass --key to read it anyway)"
                : "";
            throw Fail($"no state dict found: the file holds {Describe(rootDict)}{note}");
        }

        // {"state_dict": {"fc.weight": ...}}: a single-entry wrapper around a flat state dict is not part of the names.
        private static (string, PyDict) Unwrap(string path, PyDict dict)
        {
            for (int i = 0; i < MaxDepth && dict.Count == 1 && dict.Entries[0].Value is PyDict inner &&
                KeyText(dict.Entries[0].Key) is { } name && inner.Entries.Any(e => e.Value is TorchTensorRef); i++)
            {
                path = Join(path, name);
                dict = inner;
            }
            return (path, dict);
        }

        private void Search(PyDict dict, string dictPath, List<(string, PyDict)> candidates, List<string> skipped, int depth)
        {
            Visit(depth);
            if (!_searched.Add(dict)) return; // a dict shared by several paths is considered once
            if (IsOptimizerState(dict) || (dictPath.Length > 0 && IsOptimizerPath(dictPath)))
            {
                if (dictPath.Length > 0) skipped.Add(dictPath);
                return;
            }
            if (Qualifies(dict, depth))
            {
                candidates.Add(Unwrap(dictPath, dict));
                return;
            }
            foreach (var (k, v) in dict.Entries)
            {
                if (v is PyDict child && KeyText(k) is { } name) Search(child, Join(dictPath, name), candidates, skipped, depth + 1);
            }
        }

        // All keys strings, every value a tensor or a qualifying dict, and at least one tensor in all.
        private bool Qualifies(PyDict dict, int depth)
        {
            if (_qualifies.TryGetValue(dict, out bool known)) return known;
            if (!_inProgress.Add(dict)) return false; // a cycle is never a state dict
            bool ok = true, anyTensor = false;
            foreach (var (k, v) in dict.Entries)
            {
                Visit(depth);
                if (k is not string) { ok = false; break; }
                if (v is TorchTensorRef) anyTensor = true;
                else if (v is PyDict child)
                {
                    if (child.Count == 0) continue;
                    if (!Qualifies(child, depth + 1)) { ok = false; break; }
                    anyTensor = true;
                }
                else { ok = false; break; }
            }
            _inProgress.Remove(dict);
            bool result = ok && anyTensor;
            _qualifies[dict] = result;
            return result;
        }

        // Dicts flattened so far and their entries: names beyond the entries come from dicts shared under several paths.
        private readonly HashSet<PyDict> _flattened = new(ReferenceEqualityComparer.Instance);
        private long _flattenedEntries;

        public void Flatten(PyDict dict, string prefix, List<(string, TorchTensorRef)> tensors, int depth, bool stringKeysOnly)
        {
            var seen = new HashSet<string>(tensors.Select(t => t.Item1), StringComparer.Ordinal);
            FlattenInto(dict, prefix, tensors, seen, depth, stringKeysOnly);
        }

        private void FlattenInto(PyDict dict, string prefix, List<(string, TorchTensorRef)> tensors, HashSet<string> seen, int depth, bool stringKeysOnly)
        {
            if (!_inProgress.Add(dict)) throw Fail($"the state dict contains itself at '{prefix}' (cyclic pickle)");
            if (_flattened.Add(dict)) _flattenedEntries += dict.Count;
            foreach (var (k, v) in dict.Entries)
            {
                Visit(depth);
                string? name = stringKeysOnly ? k as string : KeyText(k);
                if (name is null) continue;
                string full = Join(prefix, name);
                if (v is TorchTensorRef t)
                {
                    CheckpointLimits.CheckName(path, full);
                    if (!seen.Add(full)) throw Fail($"two tensors flatten to the same name '{full}'");
                    tensors.Add((full, t));
                    CheckpointLimits.CheckCount(path, tensors.Count);
                    if (tensors.Count - _flattenedEntries > CheckpointLimits.MaxSharedNames)
                    {
                        throw Fail($"dicts shared under several paths spell more than {CheckpointLimits.MaxSharedNames} extra tensor names " +
                            $"({tensors.Count} names so far from {_flattenedEntries} dict entries; a hostile pickle, or pass --key with one of the paths)");
                    }
                }
                else if (v is PyDict child) FlattenInto(child, full, tensors, seen, depth + 1, stringKeysOnly);
            }
            _inProgress.Remove(dict);
        }

        public void CollectMetadata(PyDict dict, string prefix, List<(string, MetadataValue)> metadata,
            List<(string, TorchTensorRef)> scalarTensors, HashSet<TorchTensorRef> inStateDict, int depth)
        {
            if (IsOptimizerState(dict) || (prefix.Length > 0 && IsOptimizerPath(prefix))) return;
            if (!_collected.Add(dict)) return; // shared or cyclic: its scalars are listed once
            foreach (var (k, v) in dict.Entries)
            {
                Visit(depth);
                if (metadata.Count + scalarTensors.Count >= MaxMetadataEntries) break;
                if (KeyText(k) is not { } name) continue;
                string full = Join(prefix, name);
                switch (v)
                {
                    case PyDict child:
                        CollectMetadata(child, full, metadata, scalarTensors, inStateDict, depth + 1);
                        break;
                    case TorchTensorRef t when t.Shape.Length == 0 && !inStateDict.Contains(t):
                        scalarTensors.Add((full, t));
                        break;
                    default:
                        if (ToMetadata(v) is { } value) metadata.Add((full, value));
                        break;
                }
            }
        }
    }

    /// <summary>A Python scalar as metadata; null for anything else.</summary>
    public static MetadataValue? ToMetadata(object value) => value switch
    {
        bool b => new MetadataValue.Flag(b),
        long l => new MetadataValue.Integer(l),
        BigInteger big => new MetadataValue.Text(big.ToString(CultureInfo.InvariantCulture)),
        double d => new MetadataValue.Real(d),
        string s when s.Length <= MaxMetadataTextLength => new MetadataValue.Text(s),
        _ => null,
    };
}
