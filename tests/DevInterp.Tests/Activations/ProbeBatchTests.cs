using DevInterp.Activations;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;
using static TorchSharp.torch;

namespace DevInterp.Tests.Activations;

public class ProbeBatchTests
{
    [Fact]
    public void SampleDrawsDistinctRowsInOrderAndTheSameForTheSameSeed()
    {
        using var scope = NewDisposeScope();
        var data = arange(100, dtype: ScalarType.Float64).unsqueeze(1) * ones(1, 3, dtype: ScalarType.Float64); // row i = (i, i, i)
        using var a = ProbeBatch.Sample(data, 10, seed: 7);
        using var b = ProbeBatch.Sample(data, 10, seed: 7);
        using var c = ProbeBatch.Sample(data, 10, seed: 8);
        var rows = a.Inputs[.., 0].data<double>().ToArray();
        Assert.Equal(10, rows.Distinct().Count());
        Assert.Equal(rows.Order(), rows);
        Assert.Equal(rows, b.Inputs[.., 0].data<double>().ToArray());
        Assert.NotEqual(rows, c.Inputs[.., 0].data<double>().ToArray());
        Assert.Equal([10L, 3], a.Inputs.shape);
        // A private copy: changing the source does not change the probe.
        data.zero_();
        Assert.Equal(rows, a.Inputs[.., 0].data<double>().ToArray());
    }

    [Fact]
    public void BadProbesAreRefusedWithTheReason()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ProbeBatch.Sample(zeros(5, 2), 6, 0));
        Assert.Contains("expected 1 to 5 (the rows available), got 6", e.Message);
        var f = Assert.Throws<ArgumentException>(() => ProbeBatch.From(zeros([3], dtype: ScalarType.Int64)));
        Assert.Contains("token ids must be [batch, positions], got shape [3]", f.Message);
        f = Assert.Throws<ArgumentException>(() => ProbeBatch.From(zeros([3, 2], dtype: ScalarType.Int32)));
        Assert.Contains("expected float features or int64 token ids, got Int32", f.Message);
    }

    [Fact]
    public void FromFileReadsTheNamedOrOnlyTensor()
    {
        using var scope = NewDisposeScope();
        string dir = TestPaths.NewTempDir("devinterp-probe");
        try
        {
            string single = Path.Combine(dir, "probe.safetensors");
            var tokens = arange(12, dtype: ScalarType.Int64).reshape(4, 3);
            SafetensorsWriter.Write(single, new Dictionary<string, Tensor> { ["tokens"] = tokens });
            using (var probe = ProbeBatch.FromFile(single))
                Assert.Equal(tokens.data<long>().ToArray(), probe.Inputs.data<long>().ToArray());
            using (var probe = ProbeBatch.FromFile(single, count: 2, seed: 1))
                Assert.Equal([2L, 3], probe.Inputs.shape);

            string two = Path.Combine(dir, "two.safetensors");
            SafetensorsWriter.Write(two, new Dictionary<string, Tensor> { ["x"] = ones(3, 2), ["y"] = zeros(3, 1) });
            var e = Assert.Throws<CheckpointFormatException>(() => ProbeBatch.FromFile(two));
            Assert.Contains("holds 2 tensors (x, y); name the one holding the probe inputs", e.Message);
            using (var probe = ProbeBatch.FromFile(two, "x")) Assert.Equal([3L, 2], probe.Inputs.shape);
            e = Assert.Throws<CheckpointFormatException>(() => ProbeBatch.FromFile(two, "z"));
            Assert.Contains("has no tensor named 'z'", e.Message);
            e = Assert.Throws<CheckpointFormatException>(() => ProbeBatch.FromFile(two, "x", count: 9));
            Assert.Contains("tensor 'x': ", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
