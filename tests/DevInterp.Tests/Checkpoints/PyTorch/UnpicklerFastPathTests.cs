using DevInterp.Checkpoints.PyTorch;

namespace DevInterp.Tests.Checkpoints.PyTorch;

/// <summary>
/// The shortcuts the reader takes for speed give the same answers as the plain way: the memo kept as a list for
/// Python's sequential indices (with any other index in a dictionary), shared boxes for small integers, tuples built
/// straight from the stack, and the slicing-by-8 CRC-32.
/// </summary>
public class UnpicklerFastPathTests
{
    private static readonly UnpickleContext Context = new("memo.pkl", "data.pkl");

    private static object[] Items(PickleBuilder pickle) =>
        ((PyTuple)Unpickler.Load(pickle.ToArray(), Context, out _)).Items;

    [Fact]
    public void MemoIndicesOutOfOrderAndOverwrittenAreRecalled()
    {
        // A sparse index first, then sequential ones that run into it, then one past it; MEMOIZE uses the count of
        // distinct indices (0, 1, 2, 3, 1000000: five), as Python's memo does.
        var pickle = new PickleBuilder().Proto(4)
            .Str("sparse-2").Put(2).Op('0')
            .Str("a").Put(1_000_000).Op('0')
            .Str("zero").Op('q').Raw(0).Op('0')
            .Str("one").Op('q').Raw(1).Op('0')
            .Str("two").Op('q').Raw(2).Op('0')
            .Str("three").Op('q').Raw(3).Op('0')
            .Str("zero again").Op('q').Raw(0).Op('0')
            .Str("memoized").Op(0x94).Op('0')
            .Op('(').Op('h').Raw(0).Op('h').Raw(1).Op('h').Raw(2).Op('h').Raw(3).Get(1_000_000).Op('h').Raw(5).Op('t')
            .Stop();
        Assert.Equal(new object[] { "zero again", "one", "two", "three", "a", "memoized" }, Items(pickle));
    }

    [Fact]
    public void MemoIndexNeverStoredIsRefusedAfterSequentialOnes()
    {
        var pickle = new PickleBuilder().Proto().Str("x").Op('q').Raw(0).Op('q').Raw(1).Op('h').Raw(2).Stop();
        var e = Assert.Throws<DevInterp.Checkpoints.CheckpointFormatException>(() => Unpickler.Load(pickle.ToArray(), Context, out _));
        Assert.Contains("memo index 2 was never stored", e.Message);
    }

    [Fact]
    public void IntegersAroundTheSharedBoxesKeepTheirValues()
    {
        long[] values = [0, 1, 255, 256, 1023, 1024, 65535, 65536, -1, int.MinValue, int.MaxValue];
        var pickle = new PickleBuilder().Proto().Op('(');
        foreach (long v in values) pickle.Int(v);
        pickle.Op(0x88).Op(0x89).Op('I').Raw("01\n"u8.ToArray()).Op('I').Raw("00\n"u8.ToArray()).Op('t').Stop();
        object[] items = Items(pickle);
        object[] expected = [.. values.Select(v => (object)v), true, false, true, false];
        Assert.Equal(expected, items);
    }

    [Fact]
    public void EmptyAndFilledTuplesFromMarks()
    {
        var pickle = new PickleBuilder().Proto().Op('(').Op('(').Op('t').Op('(').Int(1).Int(2).Op('t').Op('t').Stop();
        object[] items = Items(pickle);
        Assert.Empty(((PyTuple)items[0]).Items);
        Assert.Equal(new object[] { 1L, 2L }, ((PyTuple)items[1]).Items);
    }

    [Fact]
    public void Crc32MatchesTheCheckValueAndABitwiseReference()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
        var random = new Random(7);
        for (int length = 0; length < 100; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(BitwiseCrc32(data), Crc32.Compute(data));
        }
        var large = new byte[100_003];
        random.NextBytes(large);
        Assert.Equal(BitwiseCrc32(large), Crc32.Compute(large));
    }

    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
