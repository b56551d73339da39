namespace DevInterp.Tasks.Files;

/// <summary>File access with errors that name the file.</summary>
internal static class DataFiles
{
    public static byte[] ReadAllBytes(string path)
    {
        RequireFile(path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, $"cannot read: {e.Message}", e);
        }
    }

    public static FileStream OpenRead(string path)
    {
        RequireFile(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, $"cannot open: {e.Message}", e);
        }
    }

    /// <summary>Refuses a path that is not a regular file (a folder, a FIFO or a device, which can block or never end).</summary>
    public static void RequireFile(string path)
    {
        if (Directory.Exists(path)) throw new DataFileException(path, "is a folder; expected a data file");
        if (Native.FileKinds.WhyNotAFile(path) is { } why) throw new DataFileException(path, why);
    }
}
