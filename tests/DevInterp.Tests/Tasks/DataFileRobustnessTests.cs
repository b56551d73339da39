using DevInterp.Tasks;

namespace DevInterp.Tests.Tasks;

/// <summary>Truncated and corrupted data files fail with a <see cref="DataFileException"/> naming the file, never a crash.</summary>
public class DataFileRobustnessTests
{
    [Theory]
    [InlineData("x_f4.npy", """{"inputs":{"path":"F"},"targets":{"path":"F"}}""", 1)]
    [InlineData("fortran_f8.npy", """{"inputs":{"path":"F"},"targets":{"path":"F"}}""", 1)]
    [InlineData("stored.npz", "\"F\"", 3)]
    [InlineData("compressed.npz", "\"F\"", 3)]
    [InlineData("dict_tensors.pt", "\"F\"", 5)]
    [InlineData("legacy.pt", "\"F\"", 3)]
    [InlineData("rows.pt", "\"F\"", 3)]
    [InlineData("plain.pkl", "\"F\"", 1)]
    [InlineData("data.safetensors", "\"F\"", 1)]
    [InlineData("table.csv", "\"F\"", 1)]
    public void TruncatedFiles(string fixture, string split, int step)
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Fixture("tasks/" + fixture));
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "cut" + Path.GetExtension(fixture));
        for (int length = 0; length < bytes.Length; length += step)
        {
            File.WriteAllBytes(path, bytes[..length]);
            Check(path, split);
        }
    }

    [Theory]
    [InlineData("x_f4.npy")]
    [InlineData("compressed.npz")]
    [InlineData("dict_tensors.pt")]
    [InlineData("data.safetensors")]
    public void CorruptedBytes(string fixture)
    {
        byte[] original = File.ReadAllBytes(TestPaths.Fixture("tasks/" + fixture));
        string path = Path.Combine(TestPaths.NewTempDir(), "bad" + Path.GetExtension(fixture));
        var rng = new TaskRng(11);
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] bytes = (byte[])original.Clone();
            int flips = 1 + rng.NextInt(3);
            for (int f = 0; f < flips; f++) bytes[rng.NextInt(bytes.Length)] = (byte)rng.NextInt(256);
            File.WriteAllBytes(path, bytes);
            Check(path, fixture.EndsWith(".npy") ? """{"inputs":{"path":"F"},"targets":{"path":"F"}}""" : "\"F\"");
        }
    }

    private static void Check(string path, string split)
    {
        string json = $$$"""{"type":"file","loss":"mse","train":{{{split.Replace("F", path.Replace("\\", "\\\\"))}}}}""";
        try
        {
            using var data = TaskSpec.Parse(json).LoadTraining();
        }
        catch (DataFileException e)
        {
            Assert.StartsWith(path, e.Message);
        }
    }
}
