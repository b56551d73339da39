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

    public static void RequireFile(string path)
    {
        if (Directory.Exists(path)) throw new DataFileException(path, "is a folder; expected a data file");
        if (!File.Exists(path)) throw new DataFileException(path, "no such file");
    }
}
