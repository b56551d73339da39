// Compiled by MSBuild's RoslynCodeTaskFactory (see LibTorchSharpPatch.targets); keep it self-contained.
//
// Why: TorchSharp 0.107.0's libLibTorchSharp.so lists GLIBCXX_3.4.32 (libstdc++ 13) in its version needs, only for
// the link-time marker symbol _ZSt21ios_base_library_initv, which is never called. Debian 12 ships GLIBCXX_3.4.30, so
// the loader refuses the library. Marking that one version need weak (VER_FLG_WEAK) lets the loader accept it.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class PatchElfWeakVersionNeed : Task
{
    /// <summary>ELF shared objects to patch in place (missing files are ignored).</summary>
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The version name whose need is made weak, e.g. GLIBCXX_3.4.32.</summary>
    [Required] public string VersionName { get; set; } = "";

    /// <summary>Shared libraries that may already provide the version; if one does, nothing is patched.</summary>
    public ITaskItem[] ProviderCandidates { get; set; } = Array.Empty<ITaskItem>();

    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        foreach (var candidate in ProviderCandidates)
        {
            string path = candidate.ItemSpec;
            if (File.Exists(path) && Contains(File.ReadAllBytes(path), Encoding.ASCII.GetBytes(VersionName + "\0")))
            {
                Log.LogMessage(MessageImportance.Low, $"{path} provides {VersionName}; no patch needed.");
                return true;
            }
        }
        foreach (var item in Files)
        {
            string path = item.ItemSpec;
            if (!File.Exists(path)) continue;
            try
            {
                string outcome = Patch(path, VersionName);
                Log.LogMessage(MessageImportance.Normal, $"{path}: {outcome}");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException)
            {
                Log.LogError($"Could not mark {VersionName} weak in {path}: {e.Message}");
                return false;
            }
        }
        return !Log.HasLoggedErrors;
    }

    /// <summary>Sets VER_FLG_WEAK on the named version need; idempotent. Returns what was done.</summary>
    public static string Patch(string path, string versionName)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        using var reader = new BinaryReader(fs);
        byte[] ident = reader.ReadBytes(16);
        if (ident.Length < 16 || ident[0] != 0x7f || ident[1] != (byte)'E' || ident[2] != (byte)'L' || ident[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (ident[4] != 2 || ident[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");
        fs.Position = 0x28; ulong shoff = reader.ReadUInt64();
        fs.Position = 0x3A; ushort shentsize = reader.ReadUInt16(); ushort shnum = reader.ReadUInt16();
        for (int i = 0; i < shnum; i++)
        {
            long sh = (long)shoff + (long)i * shentsize;
            fs.Position = sh + 4; uint type = reader.ReadUInt32();
            if (type != ShtGnuVerneed) continue;
            fs.Position = sh + 24; ulong offset = reader.ReadUInt64();
            fs.Position = sh + 40; uint link = reader.ReadUInt32(); uint count = reader.ReadUInt32();
            long strtab = (long)shoff + (long)link * shentsize;
            fs.Position = strtab + 24; ulong strOffset = reader.ReadUInt64();
            long need = (long)offset;
            for (uint n = 0; n < count; n++)
            {
                fs.Position = need + 2; ushort auxCount = reader.ReadUInt16();
                fs.Position = need + 8; uint auxOffset = reader.ReadUInt32(); uint next = reader.ReadUInt32();
                long aux = need + auxOffset;
                for (int a = 0; a < auxCount; a++)
                {
                    fs.Position = aux + 4; ushort flags = reader.ReadUInt16();
                    fs.Position = aux + 8; uint nameOffset = reader.ReadUInt32(); uint auxNext = reader.ReadUInt32();
                    if (ReadCString(fs, (long)strOffset + nameOffset) == versionName)
                    {
                        if ((flags & VerFlgWeak) != 0) return $"{versionName} already weak";
                        fs.Position = aux + 4;
                        fs.Write(BitConverter.GetBytes((ushort)(flags | VerFlgWeak)), 0, 2);
                        return $"marked {versionName} weak";
                    }
                    if (auxNext == 0) break;
                    aux += auxNext;
                }
                if (next == 0) break;
                need += next;
            }
        }
        return $"does not need {versionName}";
    }

    private static string ReadCString(Stream s, long position)
    {
        s.Position = position;
        var sb = new StringBuilder();
        int b;
        while ((b = s.ReadByte()) > 0 && sb.Length < 256) sb.Append((char)b);
        return sb.ToString();
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}
