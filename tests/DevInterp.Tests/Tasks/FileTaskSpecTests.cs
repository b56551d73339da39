using DevInterp.Models;
using DevInterp.Tasks;

namespace DevInterp.Tests.Tasks;

public class FileTaskSpecTests
{
    [Fact]
    public void ParsesEveryFieldAndRoundTrips()
    {
        string[] specs =
        [
            """{"type":"file","train":{"path":"train.csv","header":true,"delimiter":";","inputs":["a",2,-1],"targets":"y"},"test":{"path":"test.csv"},"loss":"mse","input_type":"features"}""",
            """{"type":"file","data":{"path":"all.bin","format":"pt","key":"data.all"},"train_fraction":0.8,"seed":4,"loss":"cross_entropy","num_classes":10,"input_type":"tokens"}""",
            """{"type":"file","train":{"inputs":{"path":"x.npy"},"targets":{"path":"y.txt","header":false,"columns":0}},"loss":"gaussian_nll","sigma":0.5,"input_type":"features"}""",
            """{"type":"file","train":{"path":"d.weird","format":"arrow","inputs":"v","targets":["t1","t2"]},"loss":"mse","input_type":"features"}""",
        ];
        foreach (string json in specs)
        {
            var spec = TaskSpec.Parse(json);
            Assert.Equal(json, spec.ToJson().ToJsonString());
            Assert.Equal(json, TaskSpec.Parse(spec.ToJson()).ToJson().ToJsonString());
        }
        var first = (FileTaskSpec)TaskSpec.Parse(specs[0]);
        Assert.Equal(FileTaskLoss.Mse, first.Loss);
        Assert.Equal(';', first.Train.File!.Delimiter);
        Assert.Equal([DataColumn.Named("a"), DataColumn.At(2), DataColumn.At(-1)], first.Train.Inputs!.Columns!);
        Assert.Equal(DataFormat.Csv, first.Test!.File!.EffectiveFormat);
        var second = (FileTaskSpec)TaskSpec.Parse(specs[1]);
        Assert.Equal((0.8, 4L, 10), (second.TrainFraction!.Value, second.Seed, second.NumClasses!.Value));
        Assert.Equal(10L, second.OutputSize);
        Assert.True(second.TokenInputs);
        // A bare path is shorthand for {"path": ...}.
        Assert.Equal("""{"type":"file","train":{"path":"t.npz"},"loss":"mse","input_type":"features"}""",
            TaskSpec.Parse("""{"type":"file","train":"t.npz","loss":"mse"}""").ToJson().ToJsonString());
    }

    [Fact]
    public void FormatsFollowTheExtension()
    {
        Assert.Equal(DataFormat.Safetensors, DataFormats.FromExtension("a/b.safetensors"));
        Assert.Equal(DataFormat.PyTorch, DataFormats.FromExtension("x.PTH"));
        Assert.Equal(DataFormat.Npz, DataFormats.FromExtension("x.npz"));
        Assert.Equal(DataFormat.Text, DataFormats.FromExtension("x.txt"));
        Assert.Equal(DataFormat.Arrow, DataFormats.FromExtension("x.feather"));
        Assert.Null(DataFormats.FromExtension("x.parquet"));
        Assert.Equal('\t', new DataFileRef("x.tsv").EffectiveDelimiter);
        Assert.Equal(',', new DataFileRef("x.csv").EffectiveDelimiter);
    }

    [Theory]
    [InlineData("""{"type":"file","train":"a.csv"}""", "loss")]
    [InlineData("""{"type":"file","train":"a.csv","loss":"l1"}""", "loss")]
    [InlineData("""{"type":"file","loss":"mse"}""", "train")]
    [InlineData("""{"type":"file","loss":"mse","train":"a.csv","train_fraction":0.5,"seed":1}""", "train")]
    [InlineData("""{"type":"file","loss":"mse","data":"a.csv","train_fraction":0.5}""", "seed")]
    [InlineData("""{"type":"file","loss":"mse","data":"a.csv"}""", "data")]
    [InlineData("""{"type":"file","loss":"mse","data":"a.csv","test":"b.csv","train_fraction":0.5,"seed":1}""", "test")]
    [InlineData("""{"type":"file","loss":"mse","train":"a.csv","seed":1}""", "seed")]
    [InlineData("""{"type":"file","loss":"mse","data":"a.csv","train_fraction":1.5,"seed":1}""", "train_fraction")]
    [InlineData("""{"type":"file","loss":"mse","train":"a.csv","sigma":0.1}""", "sigma")]
    [InlineData("""{"type":"file","loss":"gaussian_nll","train":"a.csv","sigma":0}""", "sigma")]
    [InlineData("""{"type":"file","loss":"mse","train":"a.csv","num_classes":3}""", "num_classes")]
    [InlineData("""{"type":"file","loss":"mse","train":"a.csv","input_type":"images"}""", "input_type")]
    [InlineData("""{"type":"file","loss":"mse","train":"a.parquet"}""", "train")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"a.parquet"}}""", "train.format")]
    [InlineData("""{"type":"file","loss":"mse","train":""}""", "train")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"a.npy","delimiter":","}}""", "train.delimiter")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"a.csv","delimiter":",,"}}""", "train.delimiter")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"a.npz","header":true}}""", "train.header")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"a.csv","key":"x"}}""", "train.key")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"a.csv","format":"parquet"}}""", "train.format")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"a.csv","column":"x"}}""", "train.column")]
    [InlineData("""{"type":"file","loss":"mse","train":{"inputs":"x","targets":"y"}}""", "train.path")]
    [InlineData("""{"type":"file","loss":"mse","train":{"inputs":{"path":"x.npy"}}}""", "train.path")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"a.csv","inputs":true}}""", "train.inputs")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"a.csv","inputs":[]}}""", "train.inputs")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"a.csv","inputs":["a",1.5]}}""", "train.inputs[1]")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"a.csv","targets":{"columns":"y"}}}""", "train.targets.path")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":"a.csv","targets":{"path":"b.csv","cols":"y"}}}""", "train.targets.cols")]
    [InlineData("""{"type":"file","loss":"mse","train":42}""", "train")]
    [InlineData("""{"type":"file","loss":"mse","train":{"path":""}}""", "train.path")]
    public void BadFileSpecsNameTheField(string json, string field)
    {
        var e = Assert.Throws<SpecFormatException>(() => TaskSpec.Parse(json));
        Assert.Equal(field, e.Field);
        Assert.StartsWith($"task spec field '{field}'", e.Message);
    }

    [Fact]
    public void SpecFileErrorsNameTheFile()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "task.json");
        File.WriteAllText(path, """{"type":"file","loss":"mse","train":{"path":"a.csv","delimiter":"ab"}}""");
        var e = Assert.Throws<SpecFormatException>(() => TaskSpec.FromJsonFile(path));
        Assert.StartsWith($"{path}: task spec field 'train.delimiter'", e.Message);
    }
}
