namespace DevInterp.Tasks;

/// <summary>The file formats a <c>file</c> task reads (docs/tasks.md).</summary>
public enum DataFormat
{
    /// <summary>safetensors (named tensors); JSON <c>safetensors</c>.</summary>
    Safetensors,

    /// <summary>A torch.save file or a plain pickle (tensors, numpy arrays, lists and tuples of numbers); JSON <c>pt</c>.</summary>
    PyTorch,

    /// <summary>A numpy .npy array; JSON <c>npy</c>.</summary>
    Npy,

    /// <summary>A numpy .npz archive of .npy arrays (stored or deflated); JSON <c>npz</c>.</summary>
    Npz,

    /// <summary>Comma- (or otherwise) delimited text; JSON <c>csv</c>.</summary>
    Csv,

    /// <summary>Whitespace-separated text; JSON <c>text</c>.</summary>
    Text,

    /// <summary>An Apache Arrow IPC file or stream (Feather v2); JSON <c>arrow</c>.</summary>
    Arrow,
}

/// <summary>JSON names and file extensions of <see cref="DataFormat"/>.</summary>
public static class DataFormats
{
    private static readonly string[] JsonNames = ["safetensors", "pt", "npy", "npz", "csv", "text", "arrow"];

    private static readonly Dictionary<string, DataFormat> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        [".safetensors"] = DataFormat.Safetensors,
        [".pt"] = DataFormat.PyTorch,
        [".pth"] = DataFormat.PyTorch,
        [".bin"] = DataFormat.PyTorch,
        [".pkl"] = DataFormat.PyTorch,
        [".pickle"] = DataFormat.PyTorch,
        [".npy"] = DataFormat.Npy,
        [".npz"] = DataFormat.Npz,
        [".csv"] = DataFormat.Csv,
        [".tsv"] = DataFormat.Csv,
        [".txt"] = DataFormat.Text,
        [".dat"] = DataFormat.Text,
        [".arrow"] = DataFormat.Arrow,
        [".arrows"] = DataFormat.Arrow,
        [".feather"] = DataFormat.Arrow,
        [".ipc"] = DataFormat.Arrow,
    };

    /// <summary>The JSON names, in <see cref="DataFormat"/> order.</summary>
    public static IReadOnlyList<string> Names => JsonNames;

    /// <summary>The JSON name of a format.</summary>
    public static string JsonName(this DataFormat format) => JsonNames[(int)format];

    /// <summary>The format of a JSON name, or null.</summary>
    public static DataFormat? FromJsonName(string name)
    {
        int i = Array.IndexOf(JsonNames, name);
        return i < 0 ? null : (DataFormat)i;
    }

    /// <summary>The format a file name's extension implies, or null when it implies none.</summary>
    public static DataFormat? FromExtension(string path) =>
        Extensions.TryGetValue(Path.GetExtension(path), out var format) ? format : null;

    /// <summary>The extensions recognised, for messages.</summary>
    public static string KnownExtensions => string.Join(", ", Extensions.Keys);
}
