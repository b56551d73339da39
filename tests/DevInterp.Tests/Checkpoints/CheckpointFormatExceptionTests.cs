using DevInterp.Checkpoints;

namespace DevInterp.Tests.Checkpoints;

/// <summary>The refusal message is one line that starts with the file, whatever bytes a corrupt file put in the reason.</summary>
public class CheckpointFormatExceptionTests
{
    [Fact]
    public void ControlCharactersInTheReasonAreEscaped()
    {
        var e = new CheckpointFormatException("model.pt", "storage 'a\nb\r\tc\u0001' is odd");
        Assert.Equal("model.pt: storage 'a\\nb\\r\\tc\\x01' is odd", e.Message);
        Assert.Equal("storage 'a\\nb\\r\\tc\\x01' is odd", e.Reason);
        Assert.Equal("model.pt", e.FilePath);
    }

    [Fact]
    public void PlainReasonsAreKeptAsTheyAre()
    {
        var e = new CheckpointFormatException("model.pt", "truncated: ‖w‖ needs 8 bytes");
        Assert.Equal("model.pt: truncated: ‖w‖ needs 8 bytes", e.Message);
    }

    [Fact]
    public void NewlineInACorruptStorageKeyStaysOnOneLine()
    {
        // Found by FuzzTests: byte 420 of this legacy file lies inside a storage key; a newline there used to break the
        // message over two lines.
        byte[] bytes = File.ReadAllBytes(TestPaths.External("burn/src/pytorch/tests/reader/test_data/legacy_uncloned_views.pt"));
        bytes[420] = (byte)'\n';
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "newline_key.pt");
        File.WriteAllBytes(path, bytes);
        try
        {
            var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path).Dispose());
            Assert.StartsWith(path + ": legacy storage '", e.Message);
            Assert.Contains("\\n", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
