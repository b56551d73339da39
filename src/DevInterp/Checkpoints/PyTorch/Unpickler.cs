using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Op = DevInterp.Checkpoints.PyTorch.PickleOpcodes;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>Where a pickle comes from and how its persistent ids are resolved.</summary>
/// <param name="Path">The checkpoint file, for messages.</param>
/// <param name="Label">The part of the file (<c>data.pkl</c>, <c>main pickle</c>), for messages.</param>
/// <param name="PersistentLoad">Turns a persistent id into an object (a storage); null refuses persistent ids.</param>
/// <param name="StorageTuplesAreIds">
/// Treat a plain <c>('storage', type, key, location, numel)</c> tuple given to a tensor rebuild function as a persistent
/// id (the synthesised tar layout writes them inline).
/// </param>
internal sealed record UnpickleContext(string Path, string Label, Func<object, object>? PersistentLoad = null, bool StorageTuplesAreIds = false)
{
    public CheckpointFormatException Fail(string reason) => new(Path, $"{Label}: {reason}");
}

/// <summary>
/// A restricted unpickler for protocols 0-5. Globals go through <see cref="PickleAllowlist"/>; REDUCE, NEWOBJ, INST, OBJ
/// and BUILD only ever reach the re-implemented allowlisted callables in <see cref="PickleCalls"/>, so nothing from the
/// file is executed. Hostile input is bounded: every length is checked against the remaining bytes before allocating,
/// memo indices and stack pops are checked, and the number of values created is capped.
/// </summary>
internal sealed class Unpickler
{
    /// <summary>Most values (stack pushes and memo entries) one pickle may create.</summary>
    public const long MaxValues = 20_000_000;

    /// <summary>Longest integer (LONG/LONG4) accepted, in bytes: checkpoints hold small integers.</summary>
    public const int MaxIntegerBytes = 4096;

    // Boxes of the small integers and the two flags, shared by every pickle: a state dict's shapes, strides and offsets
    // are mostly such integers, and unboxed values are never compared by reference.
    private static readonly object[] SmallIntegers = CreateSmallIntegers(1024);
    private static readonly object True = true;
    private static readonly object False = false;

    private readonly UnpickleContext _context;
    private readonly List<object> _stack = new(32);
    private readonly List<int> _marks = new(8);
    private readonly PickleMemo _memo = new();
    private long _values;
    private int _opcodeOffset;

    private Unpickler(UnpickleContext context) => _context = context;

    /// <summary>Unpickles one object from the start of <paramref name="data"/>; <paramref name="consumed"/> is where STOP ended.</summary>
    public static object Load(ReadOnlySpan<byte> data, UnpickleContext context, out int consumed) =>
        new Unpickler(context).Run(data, out consumed);

    private object Run(ReadOnlySpan<byte> data, out int consumed)
    {
        try
        {
            return RunOpcodes(data, out consumed);
        }
        catch (PickleEndException)
        {
            throw Truncated("the end of an opcode's argument");
        }
    }

    private object RunOpcodes(ReadOnlySpan<byte> data, out int consumed)
    {
        var input = new PickleInput(data);
        while (!input.AtEnd)
        {
            _opcodeOffset = input.Position;
            byte op = input.ReadByte();
            switch (op)
            {
                case Op.Proto:
                    {
                        int version = input.ReadByte();
                        if (version > Op.HighestProtocol) throw Fail($"unsupported pickle protocol {version} (highest known is {Op.HighestProtocol})");
                        break;
                    }
                case Op.Frame:
                    {
                        ulong frame = input.ReadUInt64();
                        if (frame > (ulong)input.Remaining) throw Truncated($"a frame of {frame} bytes");
                        break;
                    }
                case Op.Stop:
                    {
                        object result = Pop();
                        consumed = input.Position;
                        return result;
                    }
                case Op.Mark:
                    Count();
                    _marks.Add(_stack.Count);
                    break;
                case Op.Pop:
                    Pop();
                    break;
                case Op.PopMark:
                    PopMarkItems();
                    break;
                case Op.Dup:
                    Push(Peek());
                    break;

                case Op.Float:
                    {
                        string line = input.ReadLine(this);
                        if (!double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) throw Fail($"FLOAT '{Clip(line)}' is not a number");
                        Push(d);
                        break;
                    }
                case Op.Int:
                    {
                        string line = input.ReadLine(this);
                        Push(line switch { "00" => False, "01" => True, _ => ParseDecimal(line) });
                        break;
                    }
                case Op.Long:
                    {
                        string line = input.ReadLine(this);
                        Push(ParseDecimal(line.EndsWith('L') ? line[..^1] : line));
                        break;
                    }
                case Op.BinInt:
                    Push(Integer(input.ReadInt32()));
                    break;
                case Op.BinInt1:
                    Push(Integer(input.ReadByte()));
                    break;
                case Op.BinInt2:
                    Push(Integer(input.ReadUInt16()));
                    break;
                case Op.Long1:
                    Push(DecodeLong(input.ReadBytes(input.ReadByte(), this)));
                    break;
                case Op.Long4:
                    {
                        int n = input.ReadInt32();
                        if (n < 0) throw Fail($"LONG4 with negative length {n}");
                        if (n > MaxIntegerBytes) throw Fail($"an integer of {n} bytes (more than {MaxIntegerBytes})");
                        Push(DecodeLong(input.ReadBytes(n, this)));
                        break;
                    }
                case Op.BinFloat:
                    Push(BinaryPrimitives.ReadDoubleBigEndian(input.ReadBytes(8, this)));
                    break;
                case Op.None:
                    Push(PyNone.Instance);
                    break;
                case Op.NewTrue:
                    Push(True);
                    break;
                case Op.NewFalse:
                    Push(False);
                    break;

                case Op.String:
                    Push(DecodePythonStringLiteral(input.ReadLine(this)));
                    break;
                case Op.BinString:
                    {
                        int n = input.ReadInt32();
                        if (n < 0) throw Fail($"BINSTRING with negative length {n}");
                        Push(DecodeUtf8(input.ReadBytes(n, this)));
                        break;
                    }
                case Op.ShortBinString:
                    Push(DecodeUtf8(input.ReadBytes(input.ReadByte(), this)));
                    break;
                case Op.Unicode:
                    Push(DecodeRawUnicodeEscape(input.ReadLine(this)));
                    break;
                case Op.BinUnicode:
                    Push(DecodeUtf8(input.ReadBytes(input.ReadUInt32(), this)));
                    break;
                case Op.ShortBinUnicode:
                    Push(DecodeUtf8(input.ReadBytes(input.ReadByte(), this)));
                    break;
                case Op.BinUnicode8:
                    Push(DecodeUtf8(input.ReadBytes(input.ReadUInt64(), this)));
                    break;
                case Op.BinBytes:
                    Push(input.ReadBytes(input.ReadUInt32(), this).ToArray());
                    break;
                case Op.ShortBinBytes:
                    Push(input.ReadBytes(input.ReadByte(), this).ToArray());
                    break;
                case Op.BinBytes8:
                case Op.ByteArray8:
                    Push(input.ReadBytes(input.ReadUInt64(), this).ToArray());
                    break;
                case Op.NextBuffer:
                    throw Fail("out-of-band buffers (pickle protocol 5 NEXT_BUFFER) are not supported");
                case Op.ReadOnlyBuffer:
                    if (Peek() is not byte[]) throw Fail($"READONLY_BUFFER on {PyTypes.Name(Peek())}");
                    break;

                case Op.EmptyList:
                    Push(new PyList([]));
                    break;
                case Op.List:
                    Push(new PyList(PopMarkItems()));
                    break;
                case Op.Append:
                    {
                        object value = Pop();
                        ListOnTop("APPEND").Items.Add(value);
                        break;
                    }
                case Op.Appends:
                    {
                        var items = PopMarkItems();
                        ListOnTop("APPENDS").Items.AddRange(items);
                        break;
                    }
                case Op.EmptyTuple:
                    Push(PyTuple.Empty);
                    break;
                case Op.Tuple:
                    {
                        var items = PopMarkArray();
                        Push(items.Length == 0 ? PyTuple.Empty : new PyTuple(items));
                        break;
                    }
                case Op.Tuple1:
                    Push(new PyTuple([Pop()]));
                    break;
                case Op.Tuple2:
                    {
                        object b = Pop(), a = Pop();
                        Push(new PyTuple([a, b]));
                        break;
                    }
                case Op.Tuple3:
                    {
                        object c = Pop(), b = Pop(), a = Pop();
                        Push(new PyTuple([a, b, c]));
                        break;
                    }
                case Op.EmptyDict:
                    Push(new PyDict());
                    break;
                case Op.Dict:
                    {
                        var items = PopMarkItems();
                        var dict = new PyDict();
                        SetItems(dict, items);
                        Push(dict);
                        break;
                    }
                case Op.SetItem:
                    {
                        object value = Pop(), key = Pop();
                        SetItems(DictOnTop("SETITEM"), [key, value]);
                        break;
                    }
                case Op.SetItems:
                    {
                        var items = PopMarkItems();
                        SetItems(DictOnTop("SETITEMS"), items);
                        break;
                    }
                case Op.EmptySet:
                    Push(new PySet([], frozen: false));
                    break;
                case Op.AddItems:
                    {
                        var items = PopMarkItems();
                        if (Peek() is not PySet { Frozen: false } set) throw Fail($"ADDITEMS on {PyTypes.Name(Peek())}");
                        set.Items.AddRange(items);
                        break;
                    }
                case Op.FrozenSet:
                    Push(new PySet(PopMarkItems(), frozen: true));
                    break;

                case Op.Put:
                    Memoize(ParseMemoIndex(input.ReadLine(this)));
                    break;
                case Op.BinPut:
                    Memoize(input.ReadByte());
                    break;
                case Op.LongBinPut:
                    Memoize(input.ReadUInt32());
                    break;
                case Op.Memoize:
                    Memoize(_memo.Count);
                    break;
                case Op.Get:
                    Push(Recall(ParseMemoIndex(input.ReadLine(this))));
                    break;
                case Op.BinGet:
                    Push(Recall(input.ReadByte()));
                    break;
                case Op.LongBinGet:
                    Push(Recall(input.ReadUInt32()));
                    break;

                case Op.Global:
                    {
                        string module = input.ReadLine(this);
                        string name = input.ReadLine(this);
                        Push(PickleAllowlist.Resolve(module, name, _context.Path, _context.Label));
                        break;
                    }
                case Op.StackGlobal:
                    {
                        object name = Pop(), module = Pop();
                        if (module is not string m || name is not string n)
                            throw Fail($"STACK_GLOBAL needs two strings, got {PyTypes.Name(module)} and {PyTypes.Name(name)}");
                        Push(PickleAllowlist.Resolve(m, n, _context.Path, _context.Label));
                        break;
                    }
                case Op.Reduce:
                    {
                        object args = Pop(), callable = Pop();
                        Push(PickleCalls.Call(callable, args, _context));
                        break;
                    }
                case Op.NewObj:
                    {
                        object args = Pop(), cls = Pop();
                        Push(PickleCalls.Call(cls, args, _context));
                        break;
                    }
                case Op.NewObjEx:
                    {
                        object kwargs = Pop(), args = Pop(), cls = Pop();
                        if (kwargs is not PyDict { Count: 0 }) throw Fail($"NEWOBJ_EX with keyword arguments for {PyTypes.Name(cls)} is not supported");
                        Push(PickleCalls.Call(cls, args, _context));
                        break;
                    }
                case Op.Inst:
                    {
                        string module = input.ReadLine(this);
                        string name = input.ReadLine(this);
                        var cls = PickleAllowlist.Resolve(module, name, _context.Path, _context.Label);
                        Push(PickleCalls.Call(cls, new PyTuple(PopMarkArray()), _context));
                        break;
                    }
                case Op.Obj:
                    {
                        var items = PopMarkItems();
                        if (items.Count == 0) throw Fail("OBJ without a class");
                        Push(PickleCalls.Call(items[0], new PyTuple([.. items.Skip(1)]), _context));
                        break;
                    }
                case Op.Build:
                    {
                        object state = Pop();
                        PickleCalls.Build(Peek(), state, _context);
                        break;
                    }
                case Op.PersId:
                    Push(LoadPersistent(input.ReadLine(this)));
                    break;
                case Op.BinPersId:
                    Push(LoadPersistent(Pop()));
                    break;
                case Op.Ext1:
                case Op.Ext2:
                case Op.Ext4:
                    throw Fail("extension-registry opcodes (EXT1/EXT2/EXT4) are not allowed");
                default:
                    throw Fail($"unknown pickle opcode 0x{op:x2}");
            }
        }
        throw Truncated("STOP");
    }

    // Every pop respects the innermost MARK, as CPython's stack/metastack does. These run once or more per opcode; the
    // opcode switch is too large for the JIT's inlining budget, hence AggressiveInlining, and the throws sit in helpers
    // so the inlined bodies stay small.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private object Pop()
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        int top = _stack.Count - 1;
        if (top < floor) ThrowUnderflow();
        object value = _stack[top];
        _stack.RemoveAt(top);
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private object Peek()
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) ThrowUnderflow();
        return _stack[^1];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Push(object value)
    {
        Count();
        _stack.Add(value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Count()
    {
        if (++_values > MaxValues) ThrowTooManyValues();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static object Integer(long value) => (ulong)value < (ulong)SmallIntegers.Length ? SmallIntegers[value] : value;

    private static object[] CreateSmallIntegers(int count)
    {
        var boxes = new object[count];
        for (int i = 0; i < count; i++) boxes[i] = (long)i;
        return boxes;
    }

    [DoesNotReturn]
    private void ThrowUnderflow() => throw Fail("stack underflow (corrupt or truncated pickle)");

    [DoesNotReturn]
    private void ThrowTooManyValues() => throw Fail($"more than {MaxValues} values: refusing to build an object this large");

    private int PopMark()
    {
        if (_marks.Count == 0) throw Fail("MARK expected (corrupt pickle)");
        int start = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        return start;
    }

    private List<object> PopMarkItems()
    {
        int start = PopMark();
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    // The items above the innermost MARK as one array (a tuple's own storage, without an intermediate list).
    private object[] PopMarkArray()
    {
        int start = PopMark();
        int n = _stack.Count - start;
        if (n == 0) return [];
        var items = new object[n];
        _stack.CopyTo(start, items, 0, n);
        _stack.RemoveRange(start, n);
        return items;
    }

    private PyList ListOnTop(string op) =>
        Peek() as PyList ?? throw Fail($"{op} on {PyTypes.Name(Peek())}, not a list");

    private PyDict DictOnTop(string op) =>
        Peek() as PyDict ?? throw Fail($"{op} on {PyTypes.Name(Peek())}, not a dict");

    private void SetItems(PyDict dict, List<object> items)
    {
        if (items.Count % 2 != 0) throw Fail("odd number of items for a dict");
        try
        {
            for (int i = 0; i < items.Count; i += 2) dict.Set(items[i], items[i + 1]);
        }
        catch (UnhashableKeyException e)
        {
            throw Fail(e.Message);
        }
    }

    private void Memoize(long index)
    {
        Count();
        _memo.Set(index, Peek());
    }

    private object Recall(long index) =>
        _memo.TryGet(index, out object value) ? value : throw Fail($"memo index {index} was never stored (corrupt pickle)");

    private long ParseMemoIndex(string line) =>
        long.TryParse(line, NumberStyles.Integer, CultureInfo.InvariantCulture, out long i) && i >= 0
            ? i : throw Fail($"memo index '{Clip(line)}' is not a non-negative integer");

    private object LoadPersistent(object pid)
    {
        if (_context.PersistentLoad is null) throw Fail("persistent ids are not expected in this pickle");
        return _context.PersistentLoad(pid);
    }

    private object ParseDecimal(string text)
    {
        if (text.Length > 3 * MaxIntegerBytes) throw Fail($"an integer of {text.Length} digits");
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
        if (BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big)) return big;
        throw Fail($"'{Clip(text)}' is not an integer");
    }

    private static object DecodeLong(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) return 0L;
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    // Protocol 0 STRING: a Python 2 repr, quoted with ' or ", with backslash escapes.
    private string DecodePythonStringLiteral(string line)
    {
        if (line.Length < 2 || line[0] != line[^1] || (line[0] != '\'' && line[0] != '"'))
            throw Fail("STRING argument is not a quoted literal");
        var bytes = new List<byte>(line.Length);
        for (int i = 1; i < line.Length - 1; i++)
        {
            char c = line[i];
            if (c != '\\' || i + 1 >= line.Length - 1)
            {
                bytes.Add((byte)c);
                continue;
            }
            char e = line[++i];
            switch (e)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case '0' or '1' or '2' or '3' or '4' or '5' or '6' or '7':
                    {
                        int v = e - '0', digits = 1;
                        while (digits < 3 && i + 1 < line.Length - 1 && line[i + 1] is >= '0' and <= '7') { v = v * 8 + (line[++i] - '0'); digits++; }
                        bytes.Add((byte)v);
                        break;
                    }
                case 'x' when i + 2 < line.Length - 1 && byte.TryParse(line.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte hex):
                    bytes.Add(hex);
                    i += 2;
                    break;
                default: bytes.Add((byte)e); break;
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    // Protocol 0 UNICODE: raw-unicode-escape (only \uXXXX and \UXXXXXXXX are escapes; other chars are Latin-1).
    private string DecodeRawUnicodeEscape(string line)
    {
        var sb = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length && (line[i + 1] == 'u' || line[i + 1] == 'U'))
            {
                int digits = line[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + digits > line.Length ||
                    !uint.TryParse(line.AsSpan(i + 2, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint cp) || cp > 0x10FFFF)
                    throw Fail("bad \\u escape in UNICODE");
                if (cp is >= 0xD800 and <= 0xDFFF) sb.Append((char)cp);
                else sb.Append(char.ConvertFromUtf32((int)cp));
                i += 1 + digits;
            }
            else sb.Append(line[i]);
        }
        return sb.ToString();
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "...";

    internal CheckpointFormatException Fail(string reason) => _context.Fail($"{reason} (at byte {_opcodeOffset})");

    internal CheckpointFormatException Truncated(string what) => _context.Fail($"truncated: the pickle ends before {what} (at byte {_opcodeOffset})");

    /// <summary>A cursor over the pickle bytes; every read is checked against what remains.</summary>
    private ref struct PickleInput(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public readonly bool AtEnd
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Position >= _data.Length;
        }

        public readonly long Remaining => _data.Length - Position;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public byte ReadByte()
        {
            if (Position >= _data.Length) ThrowEnd();
            return _data[Position++];
        }

        public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public ReadOnlySpan<byte> ReadBytes(ulong count, Unpickler owner)
        {
            if (count > (ulong)Remaining) throw owner.Truncated($"{count} bytes of data ({Remaining} remain)");
            return Take((int)count);
        }

        public ReadOnlySpan<byte> ReadBytes(long count, Unpickler owner) => ReadBytes((ulong)count, owner);

        public ReadOnlySpan<byte> ReadBytes(int count, Unpickler owner) => ReadBytes((ulong)count, owner);

        public string ReadLine(Unpickler owner)
        {
            var rest = _data[Position..];
            int end = rest.IndexOf((byte)'\n');
            if (end < 0) throw owner.Truncated("the end of a text argument");
            Position += end + 1;
            var line = rest[..end];
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            return Encoding.Latin1.GetString(line);
        }

        [DoesNotReturn]
        private static void ThrowEnd() => throw new PickleEndException();

        private ReadOnlySpan<byte> Take(int n)
        {
            if (n > _data.Length - Position) ThrowEnd();
            var span = _data.Slice(Position, n);
            Position += n;
            return span;
        }
    }

    private sealed class PickleEndException : Exception;
}
