using DevInterp.Checkpoints;
using DevInterp.Checkpoints.PyTorch;

namespace DevInterp.Tests.Checkpoints.PyTorch;

/// <summary>How the state dict is found inside hand-built unpickled objects.</summary>
public class StateDictLocatorTests
{
    private static readonly TorchStorageRef Storage = new("0", TensorDType.Float32, 100, "cpu");

    private static TorchTensorRef T(params long[] shape)
    {
        long[] stride = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { stride[i] = s; s *= shape[i]; }
        var t = TorchTensorRef.Create(Storage, TensorDType.Float32, 0, shape, stride, out string? error);
        Assert.Null(error);
        return t;
    }

    private static PyDict D(params (object Key, object Value)[] entries)
    {
        var d = new PyDict();
        foreach (var (k, v) in entries) d.Set(k, v);
        return d;
    }

    private static string[] Names(LocatedStateDict located) => [.. located.Tensors.Select(t => t.Name)];

    private static CheckpointFormatException Fails(object root, string? key = null) =>
        Assert.Throws<CheckpointFormatException>(() => StateDictLocator.Locate(root, key, "f.pt"));

    [Fact]
    public void FlatStateDictAtTheRoot()
    {
        var located = StateDictLocator.Locate(D(("fc.weight", T(2, 3)), ("fc.bias", T(2))), null, "f.pt");
        Assert.Equal(["fc.weight", "fc.bias"], Names(located));
        Assert.Empty(located.Metadata);
    }

    [Fact]
    public void NestedDictsFlattenWithDots()
    {
        var root = D(("layer1", D(("weight", T(2, 3)), ("bias", T(2)))), ("layer2", D(("weight", T(4, 2)))));
        Assert.Equal(["layer1.weight", "layer1.bias", "layer2.weight"], Names(StateDictLocator.Locate(root, null, "f.pt")));
    }

    [Fact]
    public void TrainingCheckpointSkipsOptimizerAndKeepsScalars()
    {
        var optimizer = D(("state", D((0L, D(("exp_avg", T(2)), ("step", T()))))), ("param_groups", new PyList([D(("lr", 0.001))])));
        var root = D(("model", D(("w", T(2)))), ("optimizer", optimizer), ("epoch", 3L), ("loss", 0.25), ("best", T()),
            ("config", D(("hidden_size", 4L), ("name", "mlp"), ("layers", new PyList([1L, 2L])))), ("done", true), ("none", PyNone.Instance));
        var located = StateDictLocator.Locate(root, null, "f.pt");
        Assert.Equal(["w"], Names(located));
        Assert.Equal(
            [("epoch", (MetadataValue)new MetadataValue.Integer(3)), ("loss", new MetadataValue.Real(0.25)),
             ("config.hidden_size", new MetadataValue.Integer(4)), ("config.name", new MetadataValue.Text("mlp")), ("done", new MetadataValue.Flag(true))],
            located.Metadata);
        Assert.Equal(["best"], located.ScalarTensors.Select(t => t.Name)); // 0-dim tensor outside the weights
    }

    [Fact]
    public void OptimizerOnlyGetsASpecificMessage()
    {
        var root = D(("state", D((0L, D(("momentum_buffer", T(2)))))), ("param_groups", new PyList([])));
        Assert.EndsWith("this is a torch.optim optimizer state_dict, not model weights (it holds 'state' and 'param_groups')", Fails(root).Message);
    }

    [Fact]
    public void OptimizerNamedByPathIsSkippedWithANote()
    {
        var root = D(("optimizer_state_dict", D(("state", D(("0", D(("m", T(2)))))))), ("epoch", 1L));
        var e = Fails(root);
        Assert.Contains("no state dict found: the file holds a dict with keys 'optimizer_state_dict' (dict of 1 entries), 'epoch' (int)", e.Message);
        Assert.Contains("skipped optimizer/scheduler state at 'optimizer_state_dict'; pass --key", e.Message);
        Assert.Equal(["state.0.m"], Names(StateDictLocator.Locate(root, "optimizer_state_dict", "f.pt")));
    }

    [Fact]
    public void SeveralCandidatesAreListed()
    {
        var root = D(("student", D(("w", T(1)))), ("teacher", D(("w", T(1)))), ("step", 5L));
        Assert.EndsWith("several state dicts found: 'student', 'teacher'; pass --key with the one to use", Fails(root).Message);
        Assert.Equal(["w"], Names(StateDictLocator.Locate(root, "teacher", "f.pt")));
    }

    [Fact]
    public void SingleEntryWrapperIsUnwrapped()
    {
        var root = D(("state_dict", D(("fc.weight", T(2)), ("fc.bias", T(2)))));
        Assert.Equal(["fc.weight", "fc.bias"], Names(StateDictLocator.Locate(root, null, "f.pt")));
        // A wrapper around nested dicts (no tensor directly inside) keeps its name.
        var nested = D(("model", D(("fc", D(("weight", T(2)))))));
        Assert.Equal(["model.fc.weight"], Names(StateDictLocator.Locate(nested, null, "f.pt")));
    }

    [Fact]
    public void KeyPathsWithIntegersAndDottedKeys()
    {
        var root = D(("runs", D((0L, D(("w", T(3)))), (1L, D(("w", T(4)))))), ("module.state_dict", D(("v", T(1)))));
        Assert.Equal(["w"], Names(StateDictLocator.Locate(root, "runs.1", "f.pt")));
        Assert.Equal([4L], StateDictLocator.Locate(root, "runs.1", "f.pt").Tensors[0].Tensor.Shape);
        Assert.Equal(["v"], Names(StateDictLocator.Locate(root, "module.state_dict", "f.pt"))); // a key that contains a dot
        Assert.Contains("key 'runs.7' not found: 'runs' holds a dict with keys 0 (dict of 1 entries), 1 (dict of 1 entries)", Fails(root, "runs.7").Message);
        Assert.Contains("key 'runs.0.w.x' not found: 'runs.0.w' is a tensor, not a dict", Fails(root, "runs.0.w.x").Message);
    }

    [Fact]
    public void RootTensorAndNonDictRoots()
    {
        Assert.Equal(["tensor"], Names(StateDictLocator.Locate(T(3), null, "f.pt")));
        Assert.EndsWith("no state dict found: the file holds a list of 2 items", Fails(new PyList([T(1), T(1)])).Message);
        Assert.EndsWith("no state dict found: the file holds an empty dict", Fails(new PyDict()).Message);
        Assert.EndsWith("no state dict found: the file holds a dict with keys 'a' (int), 'b' (str)", Fails(D(("a", 1L), ("b", "x"))).Message);
    }

    [Fact]
    public void MixedDictIsNotAStateDictButItsTensorSubDictIs()
    {
        // A dict with a tensor and an int is not all-tensor; its all-tensor child is the single candidate.
        var root = D(("w", T(1)), ("n", 3L), ("sub", D(("x", T(2)))));
        var located = StateDictLocator.Locate(root, null, "f.pt");
        Assert.Equal(["x"], Names(located));
        Assert.Equal([("n", (MetadataValue)new MetadataValue.Integer(3))], located.Metadata);
    }

    [Fact]
    public void FlattenedNameCollisionIsAnError()
    {
        var root = D(("a.b", T(1)), ("a", D(("b", T(1)))));
        Assert.Contains("two tensors flatten to the same name 'a.b'", Fails(root).Message);
    }

    [Fact]
    public void CyclicDictIsNotACandidate()
    {
        var d = D(("w", T(1)));
        d.Set("self", d);
        Assert.Contains("no state dict found", Fails(D(("m", d))).Message);
    }
}
