using System.IO.Compression;
using System.Text;

namespace DevInterp.Tests.Checkpoints.PyTorch;

/// <summary>Writes pickle opcodes by hand, for hostile and edge-case inputs no real tool would produce.</summary>
internal sealed class PickleBuilder
{
    private readonly List<byte> _bytes = [];

    public PickleBuilder Op(byte opcode)
    {
        _bytes.Add(opcode);
        return this;
    }

    public PickleBuilder Op(char opcode) => Op((byte)opcode);

    public PickleBuilder Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public PickleBuilder Proto(int version = 2) => Raw(0x80, (byte)version);

    /// <summary>GLOBAL 'module\nname\n'.</summary>
    public PickleBuilder Global(string module, string name) => Op('c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    /// <summary>BINUNICODE: 4-byte length and UTF-8.</summary>
    public PickleBuilder Str(string s)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(s);
        return Op('X').Raw(BitConverter.GetBytes(utf8.Length)).Raw(utf8);
    }

    /// <summary>SHORT_BINUNICODE (protocol 4).</summary>
    public PickleBuilder ShortStr(string s)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(s);
        return Op(0x8c).Raw((byte)utf8.Length).Raw(utf8);
    }

    /// <summary>BININT1, BININT2 or BININT as needed.</summary>
    public PickleBuilder Int(long value)
    {
        if (value is >= 0 and < 256) return Op('K').Raw((byte)value);
        if (value is >= 0 and < 65536) return Op('M').Raw(BitConverter.GetBytes((ushort)value));
        return Op('J').Raw(BitConverter.GetBytes((int)value));
    }

    public PickleBuilder Put(int index) => Op('r').Raw(BitConverter.GetBytes(index));

    public PickleBuilder Get(int index) => Op('j').Raw(BitConverter.GetBytes(index));

    /// <summary>A persistent storage id ('storage', torch.&lt;type&gt;, key, 'cpu', numel) followed by BINPERSID.</summary>
    public PickleBuilder Storage(string type, string key, long numel) =>
        Op('(').Str("storage").Global("torch", type).Str(key).Str("cpu").Int(numel).Op('t').Op('Q');

    /// <summary>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()) via REDUCE.</summary>
    public PickleBuilder Tensor(string type, string key, long numel, long offset, long[] size, long[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Op('(').Storage(type, key, numel).Int(offset);
        Op('(');
        foreach (long s in size) Int(s);
        Op('t').Op('(');
        foreach (long s in stride) Int(s);
        return Op('t').Op(0x89).Global("collections", "OrderedDict").Op(')').Op('R').Op('t').Op('R');
    }

    public PickleBuilder Stop() => Op('.');

    public byte[] ToArray() => [.. _bytes];

    /// <summary>A torch.save-like zip: archive/data.pkl plus the given storages under archive/data/.</summary>
    public static string WriteZip(string directory, byte[] pickle, params (string Key, byte[] Bytes)[] storages) =>
        WriteZipTo(Path.Combine(directory, "hand_built.pt"), pickle, storages);

    /// <summary>A torch.save-like zip at <paramref name="path"/>: archive/data.pkl plus the storages under archive/data/.</summary>
    public static string WriteZipTo(string path, byte[] pickle, params (string Key, byte[] Bytes)[] storages)
    {
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            Add(zip, "archive/data.pkl", pickle);
            foreach (var (key, bytes) in storages) Add(zip, "archive/data/" + key, bytes);
        }
        return path;

        static void Add(ZipArchive zip, string name, byte[] data)
        {
            using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            s.Write(data);
        }
    }
}
