using System.Text.Json.Nodes;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tasks;

/// <summary>What a ∘ b means in the modular task.</summary>
public enum ModularOperation
{
    /// <summary>(a + b) mod p.</summary>
    Add,

    /// <summary>(a − b) mod p.</summary>
    Subtract,

    /// <summary>(a · b) mod p.</summary>
    Multiply,

    /// <summary>a · b⁻¹ mod p for b ≠ 0 (p must be prime; pairs with b = 0 are left out).</summary>
    Divide,

    /// <summary>A polynomial in a and b given by <see cref="ModularTaskSpec.Polynomial"/>, mod p.</summary>
    Polynomial,
}

/// <summary>How a pair (a, b) is shown to the model.</summary>
public enum ModularEncoding
{
    /// <summary>One-hot a followed by one-hot b: float features [2p].</summary>
    Concat,

    /// <summary>One-hot a plus one-hot b: float features [p] (a 2 where a = b).</summary>
    Sum,

    /// <summary>Integer tokens [a, b] or [a, b, p] (p is the "=" token) for a sequence model; vocabulary p or p + 1.</summary>
    Tokens,
}

/// <summary>
/// Modular arithmetic in the style of the grokking experiments (Power et al. 2022; Nanda et al. 2023): every pair
/// (a, b) of residues mod p (b ≠ 0 for division), labelled with the class c = a ∘ b mod p, split into train and test
/// by <see cref="SeededSplit"/> with the training fraction and seed. Pairs are numbered a-major (index = a·p + b, or
/// a·(p−1) + b − 1 for division); both sets keep that order. The loss is cross-entropy of the p logits against c (for a
/// sequence model: the logits at the last position).
/// </summary>
/// <param name="P">The modulus p (2 or more; prime for division).</param>
/// <param name="Operation">The operation ∘.</param>
/// <param name="TrainFraction">Fraction of all pairs in the training set, in (0, 1].</param>
/// <param name="Seed">Seed of the split.</param>
/// <param name="Encoding">How pairs are encoded.</param>
/// <param name="EqualsToken">For the tokens encoding, whether a third token p ("=") follows a and b.</param>
/// <param name="Polynomial">The expression for <see cref="ModularOperation.Polynomial"/> (e.g. <c>a^2 + b^2</c>); null otherwise.</param>
/// <param name="TrainPairs">
/// The run's own training pairs, read from a file (a pickled list of (a, b) tuples, a tensor or array [n, 2], a CSV, ...;
/// <see cref="ModularPairs"/>); null to split all pairs by <paramref name="TrainFraction"/> and <paramref name="Seed"/>,
/// which are then unused.
/// </param>
/// <param name="TestPairs">The run's own test pairs (only with <paramref name="TrainPairs"/>), or null for none.</param>
public sealed record ModularTaskSpec(int P, ModularOperation Operation, double TrainFraction, long Seed,
    ModularEncoding Encoding = ModularEncoding.Concat, bool EqualsToken = true, string? Polynomial = null,
    DataSelection? TrainPairs = null, DataSelection? TestPairs = null) : TaskSpec
{
    /// <summary>The <c>type</c> value.</summary>
    public const string TypeName = "modular";

    /// <summary>The only loss of the modular task.</summary>
    public const string CrossEntropyLoss = "cross_entropy";

    /// <summary>Largest modulus accepted.</summary>
    public const int MaxP = 1 << 12;

    /// <summary>Most floating-point values a one-hot encoded set may hold (2^31); larger tasks must use tokens.</summary>
    public const long MaxOneHotValues = 1L << 31;

    private static readonly string[] OperationNames = ["add", "subtract", "multiply", "divide", "polynomial"];
    private static readonly string[] EncodingNames = ["concat", "sum", "tokens"];

    /// <summary>The folder relative pair-file paths resolve against (the task JSON file's folder), or null for the current directory. Not written to JSON.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>True when the pairs come from the run's own files rather than from a seeded split of all pairs.</summary>
    public bool PairsFromFiles => TrainPairs is not null;

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <inheritdoc />
    public override long? InputSize => Encoding switch
    {
        ModularEncoding.Concat => 2L * P,
        ModularEncoding.Sum => P,
        _ => null,
    };

    /// <inheritdoc />
    public override long? OutputSize => P;

    /// <inheritdoc />
    public override bool TokenInputs => Encoding == ModularEncoding.Tokens;

    /// <summary>Tokens per input for the tokens encoding: 3 with the "=" token, else 2.</summary>
    public int SequenceLength => EqualsToken ? 3 : 2;

    /// <summary>Vocabulary a sequence model needs for the tokens encoding: p + 1 with the "=" token, else p.</summary>
    public long Vocabulary => EqualsToken ? P + 1L : P;

    /// <summary>Number of pairs: p², or p(p − 1) for division.</summary>
    public int PairCount => Operation == ModularOperation.Divide ? P * (P - 1) : P * P;

    /// <summary>Number of training pairs of the seeded split: ⌊train_fraction · pairs⌋ (not the size of a training pair file).</summary>
    public int NTrain => SeededSplit.TrainCount(PairCount, TrainFraction);

    /// <summary>Number of test pairs.</summary>
    public int NTest => PairCount - NTrain;

    internal static ModularTaskSpec Read(SpecReader r, JsonObject json, string? baseDirectory)
    {
        int p = (int)r.RequireInt("p", 2, MaxP);
        var operation = (ModularOperation)Array.IndexOf(OperationNames, r.RequireString("operation", OperationNames));
        string? polynomial = r.OptionalString("polynomial", null);
        bool fromFiles = r.Has("train");
        DataSelection? trainPairs = null, testPairs = null;
        double fraction = 1;
        long seed = 0;
        if (fromFiles)
        {
            if (r.Has("train_fraction")) throw r.Error("train_fraction", "the split comes from the \"train\" (and \"test\") pair files; drop \"train_fraction\"");
            if (r.Has("seed")) throw r.Error("seed", "the split comes from the \"train\" (and \"test\") pair files; drop \"seed\"");
            trainPairs = DataSourceJson.ReadFileSelection(json["train"]!, "train");
            if (r.Has("test")) testPairs = DataSourceJson.ReadFileSelection(json["test"]!, "test");
        }
        else
        {
            if (r.Has("test")) throw r.Error("test", "only with \"train\" (the run's own pair files); without it the test set is the rest of the seeded split");
            fraction = r.RequireDouble("train_fraction", 0, 1, exclusiveMin: true);
            seed = r.RequireInt("seed");
        }
        var encoding = (ModularEncoding)Array.IndexOf(EncodingNames, r.OptionalString("encoding", "concat", EncodingNames)!);
        bool hasEquals = r.Has("equals_token");
        bool equals = r.OptionalBool("equals_token", true);
        r.OptionalString("loss", CrossEntropyLoss, CrossEntropyLoss);
        r.RejectUnknown();
        if (hasEquals && encoding != ModularEncoding.Tokens) throw r.Error("equals_token", "only applies to the tokens encoding");
        var spec = new ModularTaskSpec(p, operation, fraction, seed, encoding, equals, polynomial, trainPairs, testPairs) { BaseDirectory = baseDirectory };
        spec.Validate();
        return spec;
    }

    /// <inheritdoc />
    public override JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["type"] = TypeName,
            ["p"] = P,
            ["operation"] = OperationNames[(int)Operation],
        };
        if (Polynomial is not null) json["polynomial"] = Polynomial;
        if (TrainPairs is not null)
        {
            json["train"] = DataSourceJson.WriteFileSelection(TrainPairs);
            if (TestPairs is not null) json["test"] = DataSourceJson.WriteFileSelection(TestPairs);
        }
        else
        {
            json["train_fraction"] = TrainFraction;
            json["seed"] = Seed;
        }
        json["encoding"] = EncodingNames[(int)Encoding];
        if (Encoding == ModularEncoding.Tokens) json["equals_token"] = EqualsToken;
        json["loss"] = CrossEntropyLoss;
        return json;
    }

    /// <summary>The answer a ∘ b mod p.</summary>
    /// <exception cref="ArgumentOutOfRangeException">a or b outside [0, p), or b = 0 for division.</exception>
    public int Answer(int a, int b)
    {
        if ((uint)a >= (uint)P) throw new ArgumentOutOfRangeException(nameof(a), a, $"expected 0 <= a < {P}");
        if ((uint)b >= (uint)P) throw new ArgumentOutOfRangeException(nameof(b), b, $"expected 0 <= b < {P}");
        return Operation switch
        {
            ModularOperation.Add => (a + b) % P,
            ModularOperation.Subtract => (a - b + P) % P,
            ModularOperation.Multiply => (int)((long)a * b % P),
            ModularOperation.Divide => b == 0
                ? throw new ArgumentOutOfRangeException(nameof(b), b, "division by 0")
                : (int)((long)a * Inverse(b, P) % P),
            _ => ParsedPolynomial().Evaluate(a, b, P),
        };
    }

    /// <summary>The pair with index <paramref name="index"/> in the a-major numbering.</summary>
    public (int A, int B) Pair(int index)
    {
        if ((uint)index >= (uint)PairCount) throw new ArgumentOutOfRangeException(nameof(index), index, $"expected 0 <= index < {PairCount}");
        return Operation == ModularOperation.Divide ? (index / (P - 1), index % (P - 1) + 1) : (index / P, index % P);
    }

    /// <summary>The indices of the training and test pairs (each ascending) of the seeded split.</summary>
    /// <exception cref="InvalidOperationException">The pairs come from files (<see cref="TrainPairs"/>).</exception>
    public (int[] Train, int[] Test) SplitIndices()
    {
        if (PairsFromFiles) throw new InvalidOperationException("the modular task reads its pairs from files; there is no seeded split");
        Validate();
        return SeededSplit.Split(PairCount, TrainFraction, Seed);
    }

    /// <inheritdoc />
    public override IChainLoss CreateLoss() => new LastPositionCrossEntropyLoss();

    /// <inheritdoc />
    public override TaskData LoadTraining(ScalarType dtype = ScalarType.Float32)
    {
        if (TrainPairs is null) return Build(SplitIndices().Train, dtype);
        Validate();
        return Build(ModularPairs.Load(this, TrainPairs, "train"), dtype);
    }

    /// <summary>The held-out pairs, or null when the training fraction leaves none (or no test pair file is given).</summary>
    public override TaskData? LoadTest(ScalarType dtype = ScalarType.Float32)
    {
        if (TrainPairs is not null)
        {
            Validate();
            return TestPairs is null ? null : Build(ModularPairs.Load(this, TestPairs, "test"), dtype);
        }
        var test = SplitIndices().Test;
        return test.Length == 0 ? null : Build(test, dtype);
    }

    /// <summary>Every pair (a-major order), labelled: the whole finite input space of the task.</summary>
    public override TaskData LoadAll(ScalarType dtype = ScalarType.Float32)
    {
        Validate();
        return Build(Enumerable.Range(0, PairCount).ToArray(), dtype);
    }

    /// <inheritdoc />
    public override IReadOnlyList<DataFileRef> DataFiles => new[] { TrainPairs?.File, TestPairs?.File }.OfType<DataFileRef>().ToList();

    /// <inheritdoc />
    public override string? DataBaseDirectory => BaseDirectory;

    private TaskData Build(int[] indices, ScalarType dtype)
    {
        var pairs = new ModularPairs.Loaded(new long[indices.Length], new long[indices.Length], null);
        for (int i = 0; i < indices.Length; i++)
        {
            var (x, y) = Pair(indices[i]);
            pairs.A[i] = x;
            pairs.B[i] = y;
        }
        return Build(pairs, dtype);
    }

    private TaskData Build(ModularPairs.Loaded pairs, ScalarType dtype)
    {
        var (a, b) = (pairs.A, pairs.B);
        int n = a.Length;
        var c = new long[n];
        var polynomial = Operation == ModularOperation.Polynomial ? ParsedPolynomial() : null;
        for (int i = 0; i < n; i++) c[i] = polynomial?.Evaluate((int)a[i], (int)b[i], P) ?? Answer((int)a[i], (int)b[i]);
        using var scope = NewDisposeScope();
        var at = tensor(a);
        var bt = tensor(b);
        Tensor inputs = Encoding switch
        {
            ModularEncoding.Concat => cat([nn.functional.one_hot(at, P), nn.functional.one_hot(bt, P)], 1).to_type(dtype),
            ModularEncoding.Sum => (nn.functional.one_hot(at, P) + nn.functional.one_hot(bt, P)).to_type(dtype),
            _ => EqualsToken ? stack([at, bt, full(n, (long)P, ScalarType.Int64)], 1) : stack([at, bt], 1),
        };
        var targets = tensor(c);
        return new TaskData(inputs.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope(), CreateLoss())
        {
            InputsSource = pairs.Path,
            TargetsSource = pairs.Path,
        };
    }

    private ModularPolynomial ParsedPolynomial()
    {
        try
        {
            return ModularPolynomial.Parse(Polynomial ?? throw new SpecFormatException(SpecName, "polynomial", "required for the polynomial operation (e.g. \"a^2 + b^2\")"));
        }
        catch (FormatException e)
        {
            throw new SpecFormatException(SpecName, "polynomial", e.Message, e);
        }
    }

    private void Validate()
    {
        if (P < 2 || P > MaxP) throw new SpecFormatException(SpecName, "p", $"expected an integer between 2 and {MaxP}, got {P}");
        if (!Enum.IsDefined(Operation)) throw new SpecFormatException(SpecName, "operation", $"unknown operation {Operation}");
        if (!Enum.IsDefined(Encoding)) throw new SpecFormatException(SpecName, "encoding", $"unknown encoding {Encoding}");
        if (Operation == ModularOperation.Divide && !IsPrime(P))
            throw new SpecFormatException(SpecName, "p", $"division needs a prime modulus (every b ≠ 0 invertible); {P} is not prime");
        if (Operation == ModularOperation.Polynomial) ParsedPolynomial();
        else if (Polynomial is not null) throw new SpecFormatException(SpecName, "polynomial", "only applies to the polynomial operation");
        if (TestPairs is not null && TrainPairs is null)
            throw new SpecFormatException(SpecName, "test", "a test pair file needs a training pair file (\"train\")");
        if (TrainPairs is null && !(TrainFraction > 0 && TrainFraction <= 1))
            throw new SpecFormatException(SpecName, "train_fraction", $"expected a number > 0 and <= 1, got {TrainFraction}");
        if (TrainPairs is null && NTrain < 1)
            throw new SpecFormatException(SpecName, "train_fraction", $"{TrainFraction} of {PairCount} pairs leaves no training pair");
        long width = InputSize ?? 0;
        if (width * PairCount > MaxOneHotValues)
            throw new SpecFormatException(SpecName, "encoding", $"p = {P} with the {EncodingNames[(int)Encoding]} encoding needs {width * PairCount} values; use the tokens encoding");
    }

    private static bool IsPrime(int n)
    {
        if (n < 2) return false;
        for (int d = 2; (long)d * d <= n; d++)
            if (n % d == 0) return false;
        return true;
    }

    /// <summary>b⁻¹ mod p by the extended Euclidean algorithm (b coprime to p).</summary>
    internal static long Inverse(long b, long p)
    {
        long r0 = p, r1 = b % p, s0 = 0, s1 = 1;
        while (r1 != 0)
        {
            long q = r0 / r1;
            (r0, r1) = (r1, r0 - q * r1);
            (s0, s1) = (s1, s0 - q * s1);
        }
        if (r0 != 1) throw new ArgumentException($"{b} has no inverse mod {p}");
        return ModularPolynomial.Mod(s0, p);
    }
}
