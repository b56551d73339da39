using DevInterp.Models;
using DevInterp.Tasks;
using static TorchSharp.torch;

namespace DevInterp.Tests.Tasks;

public class ModularTaskTests
{
    private static ModularTaskSpec Add7(ModularEncoding encoding = ModularEncoding.Concat) =>
        new(7, ModularOperation.Add, TrainFraction: 0.3, Seed: 0, encoding);

    [Fact]
    public void AdditionTableModSevenAndSplitSizes()
    {
        var spec = Add7();
        for (int a = 0; a < 7; a++)
            for (int b = 0; b < 7; b++)
                Assert.Equal((a + b) % 7, spec.Answer(a, b));
        Assert.Equal(1, spec.Answer(3, 5));
        Assert.Equal(49, spec.PairCount);
        Assert.Equal(14, spec.NTrain); // ⌊0.3·49⌋
        Assert.Equal(35, spec.NTest);
    }

    [Fact]
    public void SplitMatchesAPythonReimplementationOfTheDocumentedProcedure()
    {
        // Printed by make_task_fixtures.py (SplitMix64 + Fisher–Yates written from docs/tasks.md).
        var (train, test) = Add7().SplitIndices();
        Assert.Equal([2, 11, 22, 26, 30, 35, 37, 39, 40, 42, 45, 46, 47, 48], train);
        Assert.Equal(35, test.Length);
        Assert.Empty(train.Intersect(test));
        Assert.Equal(Enumerable.Range(0, 49), train.Concat(test).Order());
        var (small, rest) = SeededSplit.Split(5, 0.6, 1);
        Assert.Equal([0, 1, 3], small);
        Assert.Equal([2, 4], rest);
        var divide = new ModularTaskSpec(7, ModularOperation.Divide, 0.5, 7);
        Assert.Equal([1, 2, 5, 6, 7, 10, 12, 15, 18, 19, 20, 21, 28, 30, 31, 32, 33, 34, 35, 39, 40], divide.SplitIndices().Train);
    }

    [Fact]
    public void SplitIsDeterministicPerSeedAndDiffersAcrossSeeds()
    {
        var spec = new ModularTaskSpec(13, ModularOperation.Add, 0.4, 5);
        Assert.Equal(spec.SplitIndices().Train, spec.SplitIndices().Train);
        Assert.NotEqual(spec.SplitIndices().Train, (spec with { Seed = 6 }).SplitIndices().Train);
    }

    [Fact]
    public void ConcatEncodingIsOneHotAThenOneHotB()
    {
        using var scope = NewDisposeScope();
        var spec = Add7();
        using var train = spec.LoadTraining();
        using var test = spec.LoadTest()!;
        Assert.Equal([14L, 14], train.Inputs.shape);
        Assert.Equal([35L, 14], test.Inputs.shape);
        Assert.Equal(ScalarType.Float32, train.Inputs.dtype);
        Assert.Equal(ScalarType.Int64, train.Targets.dtype);
        Assert.True(train.IsClassification);
        var rows = spec.SplitIndices().Train;
        var x = train.Inputs.data<float>().ToArray();
        var y = train.Targets.data<long>().ToArray();
        for (int i = 0; i < rows.Length; i++)
        {
            var (a, b) = spec.Pair(rows[i]);
            Assert.Equal(rows[i], a * 7 + b);
            for (int j = 0; j < 14; j++) Assert.Equal(j == a || j == 7 + b ? 1f : 0f, x[i * 14 + j]);
            Assert.Equal((a + b) % 7, y[i]);
        }
        // Pair 2 is (0, 2): the first training row.
        Assert.Equal((0, 2), spec.Pair(2));
        Assert.Equal(2L, y[0]);
    }

    [Fact]
    public void SumEncodingAddsTheOneHots()
    {
        using var scope = NewDisposeScope();
        var spec = new ModularTaskSpec(5, ModularOperation.Multiply, 1.0, 0, ModularEncoding.Sum);
        using var train = spec.LoadTraining(ScalarType.Float64);
        Assert.Null(spec.LoadTest());
        Assert.Equal([25L, 5], train.Inputs.shape);
        Assert.Equal(5L, spec.InputSize);
        // Pair (3, 3) is row 18: a 2 at position 3; pair (1, 4) is row 9.
        Assert.Equal(new double[] { 0, 0, 0, 2, 0 }, train.Inputs[18].data<double>().ToArray());
        Assert.Equal(new double[] { 0, 1, 0, 0, 1 }, train.Inputs[9].data<double>().ToArray());
        Assert.Equal(4L, train.Targets[18].item<long>()); // 9 mod 5
        Assert.Equal(4L, train.Targets[9].item<long>());
    }

    [Fact]
    public void TokensEncodingWithAndWithoutTheEqualsToken()
    {
        using var scope = NewDisposeScope();
        var spec = new ModularTaskSpec(7, ModularOperation.Subtract, 1.0, 0, ModularEncoding.Tokens);
        using var train = spec.LoadTraining();
        Assert.Equal([49L, 3], train.Inputs.shape);
        Assert.Equal(ScalarType.Int64, train.Inputs.dtype);
        Assert.Equal(new long[] { 2, 5, 7 }, train.Inputs[2 * 7 + 5].data<long>().ToArray());
        Assert.Equal(4L, train.Targets[2 * 7 + 5].item<long>()); // 2 − 5 ≡ 4 (mod 7)
        Assert.Equal(8L, spec.Vocabulary);
        Assert.Null(spec.InputSize);
        Assert.True(spec.TokenInputs);
        using var bare = (spec with { EqualsToken = false }).LoadTraining();
        Assert.Equal([49L, 2], bare.Inputs.shape);
        Assert.Equal(7L, (spec with { EqualsToken = false }).Vocabulary);
    }

    [Fact]
    public void DivisionUsesTheModularInverseAndLeavesOutZero()
    {
        var spec = new ModularTaskSpec(7, ModularOperation.Divide, 1.0, 0);
        Assert.Equal(42, spec.PairCount);
        Assert.Equal((0, 1), spec.Pair(0));
        Assert.Equal((6, 6), spec.Pair(41));
        Assert.Equal(2, spec.Answer(3, 5)); // 5⁻¹ = 3 (15 ≡ 1), 3·3 = 9 ≡ 2
        for (int i = 0; i < spec.PairCount; i++)
        {
            var (a, b) = spec.Pair(i);
            Assert.Equal(a, spec.Answer(a, b) * b % 7);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => spec.Answer(3, 0));
        var e = Assert.Throws<SpecFormatException>(() => TaskSpec.Parse("""{"type":"modular","p":8,"operation":"divide","train_fraction":0.5,"seed":1}"""));
        Assert.Equal("p", e.Field);
    }

    [Fact]
    public void PolynomialOperation()
    {
        var spec = (ModularTaskSpec)TaskSpec.Parse("""{"type":"modular","p":7,"operation":"polynomial","polynomial":"a^2 + b**2","train_fraction":0.5,"seed":1}""");
        Assert.Equal(6, spec.Answer(3, 5)); // 9 + 25 = 34 ≡ 6
        for (int a = 0; a < 7; a++)
            for (int b = 0; b < 7; b++)
                Assert.Equal((a * a + b * b) % 7, spec.Answer(a, b));
        var cubic = ModularPolynomial.Parse("(a - b)^3 - 2*a*b + -4");
        for (int a = 0; a < 11; a++)
            for (int b = 0; b < 11; b++)
            {
                long expected = ((long)Math.Pow(a - b, 3) - 2 * a * b - 4) % 11;
                Assert.Equal((int)((expected + 11) % 11), cubic.Evaluate(a, b, 11));
            }
        Assert.Equal(1, ModularPolynomial.Parse("a^0").Evaluate(0, 0, 5));
        Assert.Equal(2, ModularPolynomial.Parse("2^100").Evaluate(0, 0, 7)); // 2^3 ≡ 1, so 2^100 = (2^3)^33·2 ≡ 2
    }

    [Theory]
    [InlineData("a^^2", "position 3")]
    [InlineData("a + c", "unknown name")]
    [InlineData("2a", "write products with '*'")]
    [InlineData("(a + b", "expected ')'")]
    [InlineData("a b", "expected an operator")]
    [InlineData("", "expected a number, a, b or '('")]
    public void BadPolynomialsSayWhere(string text, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => ModularPolynomial.Parse(text));
        Assert.Contains(fragment, e.Message);
        var spec = Assert.Throws<SpecFormatException>(() => TaskSpec.Parse(
            $$"""{"type":"modular","p":7,"operation":"polynomial","polynomial":"{{text}}","train_fraction":0.5,"seed":1}"""));
        Assert.Equal("polynomial", spec.Field);
    }

    [Fact]
    public void CrossEntropyOfUniformLogitsIsLogP()
    {
        using var scope = NewDisposeScope();
        var spec = Add7();
        using var train = spec.LoadTraining();
        var logits = zeros(train.Count, 7);
        Assert.Equal(Math.Log(7), train.Loss(logits, train.Targets).item<float>(), 5);
        // A sequence model's output [B, T, V]: the last position's logits count, the rest are ignored.
        var sequence = randn(train.Count, 3, 8);
        sequence[.., 2, ..] = zeros(train.Count, 8);
        Assert.Equal(Math.Log(8), train.Loss(sequence, train.Targets).item<float>(), 5);
    }

    [Theory]
    [InlineData("""{"type":"modular","p":7,"operation":"add","train_fraction":0.3,"seed":0,"equals_token":false}""", "equals_token")]
    [InlineData("""{"type":"modular","p":7,"operation":"add","train_fraction":0,"seed":0}""", "train_fraction")]
    [InlineData("""{"type":"modular","p":7,"operation":"add","train_fraction":0.01,"seed":0}""", "train_fraction")]
    [InlineData("""{"type":"modular","p":1,"operation":"add","train_fraction":0.5,"seed":0}""", "p")]
    [InlineData("""{"type":"modular","p":7,"operation":"power","train_fraction":0.5,"seed":0}""", "operation")]
    [InlineData("""{"type":"modular","p":7,"operation":"add","polynomial":"a","train_fraction":0.5,"seed":0}""", "polynomial")]
    [InlineData("""{"type":"modular","p":7,"operation":"polynomial","train_fraction":0.5,"seed":0}""", "polynomial")]
    [InlineData("""{"type":"modular","p":7,"operation":"add","train_fraction":0.5}""", "seed")]
    [InlineData("""{"type":"modular","p":7,"operation":"add","train_fraction":0.5,"seed":0,"loss":"mse"}""", "loss")]
    [InlineData("""{"type":"modular","p":7,"operation":"add","train_fraction":0.5,"seed":0,"encoding":"binary"}""", "encoding")]
    [InlineData("""{"type":"modular","p":4096,"operation":"add","train_fraction":0.5,"seed":0}""", "encoding")]
    public void BadModularSpecsNameTheField(string json, string field)
    {
        var e = Assert.Throws<SpecFormatException>(() => TaskSpec.Parse(json));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void ModularSpecsRoundTripThroughJson()
    {
        TaskSpec[] specs =
        [
            Add7(),
            new ModularTaskSpec(11, ModularOperation.Divide, 0.5, 3, ModularEncoding.Tokens, EqualsToken: false),
            new ModularTaskSpec(5, ModularOperation.Polynomial, 0.8, 2, ModularEncoding.Sum, Polynomial: "a*b + 1"),
        ];
        foreach (var spec in specs)
        {
            var again = TaskSpec.Parse(spec.ToJson());
            Assert.Equal(spec, again);
            Assert.Equal(spec.ToJson().ToJsonString(), again.ToJson().ToJsonString());
        }
        Assert.Equal("""{"type":"modular","p":7,"operation":"add","train_fraction":0.3,"seed":0,"encoding":"concat","loss":"cross_entropy"}""",
            Add7().ToJson().ToJsonString());
    }
}
