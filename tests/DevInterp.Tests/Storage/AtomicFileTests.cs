using DevInterp.Storage;

namespace DevInterp.Tests.Storage;

public class AtomicFileTests
{
    [Fact]
    public void WritesCreateTheFolderReplaceTheFileAndLeaveNoTempFile()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "a", "b", "analysis.json");
        AtomicFile.WriteAllText(path, "{\"λ\": 1}");
        Assert.Equal("{\"λ\": 1}", File.ReadAllText(path));
        Assert.Equal((byte)'{', File.ReadAllBytes(path)[0]); // no UTF-8 byte-order mark
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["analysis.json"], Directory.EnumerateFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        Assert.Equal(0, AtomicFile.CleanStaleTempFiles(Path.GetDirectoryName(path)!));
        Assert.Equal(0, AtomicFile.CleanStaleTempFiles(Path.Combine(dir, "missing")));
    }

    [Fact]
    public void TempFileNamesAreRecognized()
    {
        Assert.True(AtomicFile.IsTempFile("/x/.step-000000000001.arrow~host~12~abc.tmp"));
        Assert.True(AtomicFile.IsTempFile(".anything.tmp"));
        Assert.False(AtomicFile.IsTempFile("step-000000000001.arrow"));
        Assert.False(AtomicFile.IsTempFile("notes.tmp")); // not hidden: not ours
    }
}
