using TorchSharp;
using static TorchSharp.torch;

namespace DevInterp.Activations;

/// <summary>
/// Captures the outputs of a module's named submodules with forward hooks (<c>register_forward_hook</c> on each module
/// <c>named_modules()</c> lists whose name the selection matches; any TorchSharp module works). Hooks stay attached
/// until disposal, so one recorder serves every checkpoint loaded into the same module; they record only inside
/// <see cref="Capture"/>. Only submodules with one tensor in and one tensor out (<c>Module&lt;Tensor, Tensor&gt;</c>) can
/// be hooked; containers such as ModuleList are not layers.
/// </summary>
public sealed class ActivationRecorder : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly List<nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover> _hooks = [];
    private Dictionary<string, Tensor>? _recording;
    private Dictionary<string, int>? _calls;

    /// <summary>Hooks every submodule <paramref name="selection"/> matches (all by default).</summary>
    /// <exception cref="ArgumentException">A pattern matches no hookable submodule (the message lists the layers there are).</exception>
    public ActivationRecorder(nn.Module<Tensor, Tensor> model, LayerSelection? selection = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        Selection = selection ?? LayerSelection.All;
        var hookable = PreOrder(model, "")
            .Where(m => m.Module is nn.Module<Tensor, Tensor>)
            .Select(m => (m.Name, Module: (nn.Module<Tensor, Tensor>)m.Module)).ToList();
        foreach (string pattern in Selection.Patterns)
        {
            var single = new LayerSelection([pattern]);
            if (!hookable.Any(m => single.Matches(m.Name)))
                throw new ArgumentException(
                    $"layers: pattern '{pattern}' matches no layer of {model.GetType().Name} (layers: {Listed(hookable.Select(m => m.Name))})", nameof(selection));
        }
        var layers = new List<string>();
        foreach (var (name, module) in hookable.Where(m => Selection.Matches(m.Name)))
        {
            layers.Add(name);
            _hooks.Add(module.register_forward_hook((_, _, output) =>
            {
                Record(name, output);
                return output;
            }));
        }
        Layers = layers;
    }

    /// <summary>The selection.</summary>
    public LayerSelection Selection { get; }

    /// <summary>The hooked layers in module-tree order: depth first, each parent before its children, children in registration order.</summary>
    public IReadOnlyList<string> Layers { get; }

    /// <summary>
    /// Runs the model on <paramref name="probe"/> (no gradients, eval mode, float inputs converted to the model's dtype)
    /// and returns each hooked layer's output and the model's output as float64 [rows, features] matrices: rows are the
    /// probe's samples (batch × positions, batch-major, for token inputs), features the rest of the output flattened.
    /// Layers that did not run are listed in <see cref="CapturedActivations.NotRun"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A layer ran more than once, or its output has no row per sample.</exception>
    public CapturedActivations Capture(Tensor probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var layout = ProbeLayout.Of(probe);
        bool training = _model.training;
        _recording = [];
        _calls = [];
        var owned = new List<Tensor>();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            _model.eval();
            var input = probe.is_floating_point() ? probe.to_type(ModelDType()) : probe;
            Tensor output;
            try
            {
                output = _model.call(input);
            }
            catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or ArgumentException)
            {
                throw new ArgumentException(
                    $"probe: {_model.GetType().Name} cannot run inputs of shape [{string.Join(", ", probe.shape)}] ({probe.dtype}): {e.Message.Split('\n')[0]}", nameof(probe), e);
            }
            var repeated = _calls.Where(kv => kv.Value > 1).Select(kv => $"'{kv.Key}' ({kv.Value} times)").ToList();
            if (repeated.Count > 0)
                throw new InvalidOperationException($"layers ran more than once in one forward pass: {string.Join(", ", repeated)}; their outputs are ambiguous, select modules that run once");
            // A token model whose output has no position dimension ([B, K], e.g. an MLP embedding its tokens) gives one
            // row per sample, not per token.
            if (layout.Tokens && output.dim() == 2 && output.shape[0] == probe.shape[0]) layout = layout.PerSample();
            var layers = new List<(string, Tensor)>();
            foreach (string name in Layers.Where(_recording.ContainsKey))
            {
                var matrix = layout.Flatten(_recording[name], name).DetachFromDisposeScope();
                owned.Add(matrix);
                layers.Add((name, matrix));
            }
            var outputMatrix = layout.Flatten(output.detach(), "output").clone().DetachFromDisposeScope();
            owned.Add(outputMatrix);
            return new CapturedActivations(layers, outputMatrix, Layers.Where(l => !_recording.ContainsKey(l)).ToList(), layout.Rows);
        }
        catch
        {
            foreach (var t in owned) t.Dispose();
            throw;
        }
        finally
        {
            _recording = null;
            _calls = null;
            if (training) _model.train();
        }
    }

    /// <summary>Removes the hooks.</summary>
    public void Dispose()
    {
        foreach (var hook in _hooks) hook.remove();
        _hooks.Clear();
    }

    private void Record(string name, Tensor output)
    {
        if (_recording is null || _calls is null) return; // a forward outside Capture
        _calls[name] = _calls.GetValueOrDefault(name) + 1;
        // A private copy: later in-place operations of the forward pass must not change what was captured.
        _recording[name] = output.detach().clone();
    }

    // Depth-first pre-order over named_children (named_modules() in TorchSharp lists a level's siblings before their children).
    private static IEnumerable<(string Name, nn.Module Module)> PreOrder(nn.Module module, string prefix)
    {
        foreach (var (name, child) in module.named_children())
        {
            string full = prefix.Length == 0 ? name : $"{prefix}.{name}";
            yield return (full, child);
            foreach (var item in PreOrder(child, full)) yield return item;
        }
    }

    private ScalarType ModelDType() =>
        _model.parameters().Select(p => p.dtype).FirstOrDefault(t => t is ScalarType.Float32 or ScalarType.Float64, ScalarType.Float32);

    private static string Listed(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list.Take(30)) + (list.Count > 30 ? $", ... ({list.Count} in all)" : "");
    }
}
