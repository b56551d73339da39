using System.Diagnostics;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.PyTorch;

namespace DevInterp.Tests.Checkpoints.PyTorch;

/// <summary>
/// Hand-built hostile pickles: globals outside the allowlist are refused by name before anything happens, nothing is
/// executed, and malformed input (bad memo indices, stack underflow, huge lengths, deep nesting) ends in a clear
/// CheckpointFormatException quickly.
/// </summary>
public class UnpicklerSecurityTests
{
    private static readonly UnpickleContext Context = new("hostile.pkl", "data.pkl", _ => throw new InvalidOperationException("no persistent ids"));

    private static CheckpointFormatException Refuse(byte[] pickle) =>
        Assert.Throws<CheckpointFormatException>(() => Unpickler.Load(pickle, Context, out _));

    [Fact]
    public void OsSystemIsRefusedByNameAndNeverRuns()
    {
        string dir = TestPaths.NewTempDir();
        string marker = Path.Combine(dir, "pwned");
        byte[] pickle = new PickleBuilder().Proto().Global("os", "system").Str($"touch {marker}").Op(0x85).Op('R').Stop().ToArray();
        string path = PickleBuilder.WriteZip(dir, pickle);

        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.Contains("refused global 'os.system': only collections.OrderedDict", e.Message);
        Assert.Contains("(like torch.load(weights_only=True))", e.Message);
        Assert.StartsWith(path, e.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void BuiltinsEvalThroughStackGlobalIsRefused()
    {
        string dir = TestPaths.NewTempDir();
        string marker = Path.Combine(dir, "pwned");
        byte[] pickle = new PickleBuilder().Proto(4).ShortStr("builtins").ShortStr("eval").Op(0x93)
            .Str($"open('{marker}', 'w')").Op(0x85).Op('R').Stop().ToArray();
        var e = Refuse(pickle);
        Assert.Contains("refused global 'builtins.eval'", e.Message);
        Assert.False(File.Exists(marker));

        // Python 2 spells the module __builtin__; it is the same refusal.
        var e2 = Refuse(new PickleBuilder().Proto().Global("__builtin__", "eval").Str("1").Op(0x85).Op('R').Stop().ToArray());
        Assert.Contains("refused global 'builtins.eval'", e2.Message);
    }

    [Theory]
    [InlineData("subprocess", "Popen")]
    [InlineData("posix", "system")]
    [InlineData("builtins", "exec")]
    [InlineData("builtins", "getattr")]
    [InlineData("copy_reg", "_reconstructor")]
    [InlineData("torch", "load")]
    [InlineData("torch._utils", "_rebuild_qtensor")]
    [InlineData("numpy", "load")]
    public void OtherGlobalsAreRefused(string module, string name)
    {
        var e = Refuse(new PickleBuilder().Proto().Global(module, name).Stop().ToArray());
        Assert.Contains($"refused global '{module}.{name}'", e.Message);
    }

    [Fact]
    public void AllowedMarkersCannotBeCalled()
    {
        var e = Refuse(new PickleBuilder().Proto().Global("torch", "FloatStorage").Op(')').Op('R').Stop().ToArray());
        Assert.Contains("'torch.FloatStorage' may be named but not called", e.Message);
        var e2 = Refuse(new PickleBuilder().Proto().Global("torch", "Tensor").Op(')').Op(0x81).Stop().ToArray());
        Assert.Contains("'torch.Tensor' may be named but not called", e2.Message);
        var e3 = Refuse(new PickleBuilder().Proto().Str("x").Op(')').Op('R').Stop().ToArray());
        Assert.Contains("cannot call a str", e3.Message);
    }

    [Fact]
    public void BuildOnAnythingElseIsRefused()
    {
        var e = Refuse(new PickleBuilder().Proto().Op(']').Op('}').Op('b').Stop().ToArray());
        Assert.Contains("BUILD on list is not allowed", e.Message);
    }

    [Fact]
    public void MalformedInputFailsClearly()
    {
        Assert.Contains("memo index 7 was never stored", Refuse(new PickleBuilder().Proto().Op('h').Raw(7).Stop().ToArray()).Message);
        Assert.Contains("stack underflow", Refuse(new PickleBuilder().Proto().Op('R').Stop().ToArray()).Message);
        Assert.Contains("stack underflow", Refuse(new PickleBuilder().Proto().Op('(').Op('.').ToArray()).Message);
        Assert.Contains("MARK expected", Refuse(new PickleBuilder().Proto().Op('t').Stop().ToArray()).Message);
        Assert.Contains("ends before STOP", Refuse(new PickleBuilder().Proto().Op(')').ToArray()).Message);
        Assert.Contains("unknown pickle opcode 0xff", Refuse(new PickleBuilder().Proto().Op(0xff).ToArray()).Message);
        Assert.Contains("unsupported pickle protocol 9", Refuse(new PickleBuilder().Proto(9).ToArray()).Message);
        Assert.Contains("APPEND on dict, not a list", Refuse(new PickleBuilder().Proto().Op('}').Op(')').Op('a').Stop().ToArray()).Message);
        Assert.Contains("unhashable dict key of type list", Refuse(new PickleBuilder().Proto().Op('}').Op(']').Op(')').Op('s').Stop().ToArray()).Message);
        Assert.Contains("extension-registry", Refuse(new PickleBuilder().Proto().Op(0x82).Raw(1).Stop().ToArray()).Message);
        Assert.Contains("out-of-band buffers", Refuse(new PickleBuilder().Proto(5).Op(0x97).Stop().ToArray()).Message);
    }

    [Fact]
    public void HugeLengthsAreCheckedBeforeAllocating()
    {
        var sw = Stopwatch.StartNew();
        // BINUNICODE claiming 4 GB, BINBYTES8 claiming 2^62, LONG4 claiming 2 GB, FRAME claiming 1 TB.
        Assert.Contains("truncated", Refuse(new PickleBuilder().Proto().Op('X').Raw(0xF0, 0xFF, 0xFF, 0xFF).Raw(1, 2, 3).ToArray()).Message);
        Assert.Contains("truncated", Refuse(new PickleBuilder().Proto(4).Op(0x8e).Raw(0, 0, 0, 0, 0, 0, 0, 0x40).ToArray()).Message);
        Assert.Contains("an integer of 2147483647 bytes", Refuse(new PickleBuilder().Proto().Op(0x8b).Raw(0xFF, 0xFF, 0xFF, 0x7F).ToArray()).Message);
        Assert.Contains("truncated", Refuse(new PickleBuilder().Proto(4).Op(0x95).Raw(0, 0, 0, 0, 0, 1, 0, 0).Stop().ToArray()).Message);
        Assert.True(sw.ElapsedMilliseconds < 10_000, $"took {sw.ElapsedMilliseconds} ms"); // a hang guard, not a speed target
    }

    [Fact]
    public void DeeplyNestedTupleKeyIsRefusedWithoutStackOverflow()
    {
        var b = new PickleBuilder().Proto().Op('}');
        for (int i = 0; i < 200_000; i++) b.Op('(');
        for (int i = 0; i < 200_000; i++) b.Op('t');
        b.Int(1).Op('s').Stop();
        Assert.Contains("nested deeper than 32 levels", Refuse(b.ToArray()).Message);
    }

    [Fact]
    public void DeeplyNestedDictsStopAtTheDepthLimit()
    {
        // D0 = {}; D(i+1) = {'a': Di}, 10 000 levels, built inside out through the memo.
        var b = new PickleBuilder().Proto().Op('}').Put(0);
        for (int i = 1; i <= 10_000; i++) b.Op('}').Str("a").Get(i - 1).Op('s').Put(i);
        string dir = TestPaths.NewTempDir();
        string path = PickleBuilder.WriteZip(dir, b.Stop().ToArray());
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.Contains("nested deeper than 64 levels", e.Message);
    }

    [Fact]
    public void ExponentiallySharedDictsAreSearchedOnce()
    {
        // D(i+1) = {'a': Di, 'b': Di}: 2^60 paths, but only 61 distinct dicts.
        var b = new PickleBuilder().Proto().Op('}').Put(0);
        for (int i = 1; i <= 60; i++) b.Op('}').Op('(').Str("a").Get(i - 1).Str("b").Get(i - 1).Op('u').Put(i);
        string path = PickleBuilder.WriteZip(TestPaths.NewTempDir(), b.Stop().ToArray());
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.Contains("no state dict found", e.Message);
        Assert.True(sw.ElapsedMilliseconds < 10_000, $"took {sw.ElapsedMilliseconds} ms"); // a hang guard: 2^60 paths would never finish
    }

    [Fact]
    public void CyclicListDoesNotHang()
    {
        // L = []; L.append(L); {'x': L}
        byte[] pickle = new PickleBuilder().Proto().Op('}').Str("x").Op(']').Put(0).Get(0).Op('a').Op('s').Stop().ToArray();
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(PickleBuilder.WriteZip(TestPaths.NewTempDir(), pickle)));
        Assert.Contains("no state dict found: the file holds a dict with keys 'x' (list of 1)", e.Message);
    }

    [Fact]
    public void TensorAddressingPastItsStorageIsRefused()
    {
        // A [3, 4] float view with stride (4, 1) at offset 2 needs 14 elements; the storage has 12.
        byte[] pickle = new PickleBuilder().Proto().Op('}').Str("w").Tensor("FloatStorage", "0", 12, 2, [3, 4], [4, 1]).Op('s').Stop().ToArray();
        string path = PickleBuilder.WriteZip(TestPaths.NewTempDir(), pickle, ("0", new byte[48]));
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.Contains("invalid tensor: size [3, 4], stride [4, 1] and offset 2 address element 13 but storage '0' holds 12 float32 elements", e.Message);
    }

    [Fact]
    public void StorageShorterThanItsEntryIsRefused()
    {
        byte[] pickle = new PickleBuilder().Proto().Op('}').Str("w").Tensor("FloatStorage", "0", 12, 0, [12], [1]).Op('s').Stop().ToArray();
        string path = PickleBuilder.WriteZip(TestPaths.NewTempDir(), pickle, ("0", new byte[40]));
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.Contains("storage '0' needs 48 bytes (12 float32 elements) but the file holds 40", e.Message);

        string missing = PickleBuilder.WriteZip(TestPaths.NewTempDir(), pickle);
        var e2 = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(missing));
        Assert.Contains("storage '0' is missing from the archive (no entry archive/data/0)", e2.Message);
    }

    [Fact]
    public void HandBuiltTensorReadsBack()
    {
        // The same builder with valid geometry: a transposed [2, 3] view of a 6-element storage.
        byte[] pickle = new PickleBuilder().Proto().Op('}').Str("w").Tensor("FloatStorage", "0", 6, 0, [2, 3], [1, 2]).Op('s').Stop().ToArray();
        byte[] storage = new float[] { 0, 1, 2, 3, 4, 5 }.SelectMany(BitConverter.GetBytes).ToArray();
        using var reader = CheckpointFile.Open(PickleBuilder.WriteZip(TestPaths.NewTempDir(), pickle, ("0", storage)));
        Assert.Equal([0.0, 2, 4, 1, 3, 5], reader.ReadDoubles("w"));
    }
}
