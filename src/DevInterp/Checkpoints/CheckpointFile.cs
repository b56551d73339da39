using System.Buffers.Binary;
using DevInterp.Checkpoints.PyTorch;
using DevInterp.Checkpoints.Safetensors;
using DevInterp.Checkpoints.TorchSharpDat;

namespace DevInterp.Checkpoints;

/// <summary>Opens any supported checkpoint file (or Hugging Face-style folder) by looking at its content, not its name.</summary>
public static class CheckpointFile
{
    /// <summary>File names a Hugging Face Trainer folder (<c>checkpoint-500/</c>) keeps its weights under, in preference order.</summary>
    public static readonly IReadOnlyList<string> FolderWeightFiles = ["model.safetensors", "pytorch_model.bin", "model.pt", "model.pth"];

    /// <summary>Opens a checkpoint, detecting its format from its first bytes.</summary>
    /// <exception cref="CheckpointFormatException">Unreadable, corrupt, or not a checkpoint; the message names the file and why.</exception>
    public static ICheckpointReader Open(string path, CheckpointOpenOptions? options = null)
    {
        options ??= CheckpointOpenOptions.Default;
        if (Directory.Exists(path)) return Open(ResolveFolder(path), options);
        // One handle serves format detection and the reader (opening a file is a good part of reading a small one).
        var file = MappedFile.Open(path);
        try
        {
            var format = Detect(file);
            if (!string.IsNullOrEmpty(options.Key) && format is CheckpointFormat.Safetensors or CheckpointFormat.TorchSharpDat)
            {
                throw new CheckpointFormatException(path,
                    $"key path '{options.Key}' given, but a {(format == CheckpointFormat.Safetensors ? "safetensors" : "TorchSharp .dat")} file holds one flat state dict " +
                    "(key paths select a state dict inside a torch.save checkpoint); drop the key");
            }
            return format switch
            {
                CheckpointFormat.Safetensors => SafetensorsReader.Open(file),
                CheckpointFormat.TorchSharpDat => TorchSharpDatReader.Open(file),
                _ => PyTorchReader.Open(file, format, options),
            };
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The weights file inside a Hugging Face-style checkpoint folder.</summary>
    public static string ResolveFolder(string folder)
    {
        foreach (string name in FolderWeightFiles)
        {
            string candidate = System.IO.Path.Combine(folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        if (File.Exists(System.IO.Path.Combine(folder, "model.safetensors.index.json")) ||
            File.Exists(System.IO.Path.Combine(folder, "pytorch_model.bin.index.json")))
        {
            throw new CheckpointFormatException(folder,
                "sharded checkpoint (*.index.json) is not supported; merge the shards into one model.safetensors");
        }
        throw new CheckpointFormatException(folder,
            $"folder holds no weights file (looked for {string.Join(", ", FolderWeightFiles)})");
    }

    /// <summary>
    /// The size in bytes of a checkpoint's weights: the file's (a symbolic link's final target's, not the link's), or the
    /// weights file's inside a Hugging Face-style folder.
    /// </summary>
    public static long SizeOf(string path)
    {
        var info = new FileInfo(Directory.Exists(path) ? ResolveFolder(path) : path);
        return info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target ? target.Length : info.Length;
    }

    /// <summary>Detects the format of a file from its leading bytes.</summary>
    public static CheckpointFormat Detect(string path)
    {
        using var file = MappedFile.Open(path);
        return Detect(file);
    }

    /// <summary>Detects the format of an open file from its first 512 bytes (read when the file was opened).</summary>
    internal static CheckpointFormat Detect(MappedFile file)
    {
        string path = file.Path;
        long length = file.Length;
        var head = file.Head[..Math.Min(file.Head.Length, 512)];
        int n = head.Length;
        if (n == 0) throw new CheckpointFormatException(path, "empty file (0 bytes)");
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5) && (head[3] == 4 || head[3] == 6))
            return CheckpointFormat.PyTorchZip;
        if (n >= 262 && head[257] == 'u' && head[258] == 's' && head[259] == 't' && head[260] == 'a' && head[261] == 'r')
            return CheckpointFormat.PyTorchTar;
        // Safetensors before pickle: a header length of 128 + 256·k (k <= 5) starts 0x80 0x0k, like a pickle.
        if (n >= 9 && head[8] == '{')
        {
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(head);
            // '{"' or '{}' after the length is JSON enough to report a bad length as a safetensors error.
            if (headerLength <= (ulong)Math.Max(0, length - 8) || headerLength <= SafetensorsReader.MaxHeaderBytes ||
                (n >= 10 && (head[9] == '"' || head[9] == '}')))
                return CheckpointFormat.Safetensors;
        }
        // A TorchSharp state dict of 128, 256, ... entries also starts 0x80 0x0k (its LEB128 count); its first name
        // then decodes as printable UTF-8, which a pickle's opcodes do not.
        if (n >= 2 && head[0] == 0x80 && head[1] <= 5 && !TorchSharpDatReader.LooksLikeStateDict(head, length))
            return CheckpointFormat.PyTorchLegacy;
        if (TorchSharpDatReader.LooksLikeTorchSharpDat(head, length)) return CheckpointFormat.TorchSharpDat;
        string preview = Convert.ToHexString(head[..Math.Min(n, 8)]);
        throw new CheckpointFormatException(path,
            $"not a checkpoint: content matches no supported format (safetensors, PyTorch zip/legacy, TorchSharp .dat); first bytes {preview}");
    }
}
