using System.Text.Json.Nodes;
using DevInterp.Analysis;
using DevInterp.Runs;

namespace DevInterp.Tests.Analysis;

/// <summary>analysis.json records the SHA-256 of a file task's data files, and a rewritten data file stops a resume.</summary>
public class AnalysisDataFilesTests
{
    [Fact]
    public void TheDataFilesAreHashedAndARewrittenFileIsRefused()
    {
        string run = DemoRunCopy.Make("dln", 0, 5000);
        string data = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(data, "x.csv"), "a,b\n1,2\n3,4\n");
        File.WriteAllText(Path.Combine(data, "y.csv"), "y\n1\n0\n");
        var task = JsonNode.Parse("""{"type":"file","loss":"mse","train":{"inputs":{"path":"x.csv"},"targets":{"path":"y.csv"}}}""")!.AsObject();
        var config = AnalysisConfigBuilder.Create("data", run, Run.Open(run), task: task) with { TaskBase = data };
        string folder = AnalysisFixtures.NewAnalysisFolder();

        var (written, _) = AnalysisFolder.Open(folder, config, [AnalysisSection.Llc]);

        static string Sha(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.Equal([("x.csv", Sha("a,b\n1,2\n3,4\n")), ("y.csv", Sha("y\n1\n0\n"))], written.DataFiles!.Select(f => (f.File, f.Sha256)));
        Assert.Equal(written.DataFiles, AnalysisConfig.Load(Path.Combine(folder, AnalysisConfig.FileName)).DataFiles); // in analysis.json
        AnalysisFolder.Open(folder, config, [AnalysisSection.Llc]); // unchanged: resumes

        File.WriteAllText(Path.Combine(data, "y.csv"), "y\n1\n1\n");
        var e = Assert.Throws<RunFormatException>(() => AnalysisFolder.Open(folder, config, [AnalysisSection.Llc]));
        Assert.Contains("'data_files' differs", e.Message);
    }

    [Fact]
    public void BuiltInTasksRecordNoDataFiles()
    {
        string run = DemoRunCopy.Make("dln", 0);
        var (written, _) = AnalysisFolder.Open(AnalysisFixtures.NewAnalysisFolder(), AnalysisConfigBuilder.Create("dln", run, Run.Open(run)), [AnalysisSection.Llc]);
        Assert.Null(written.DataFiles);
    }
}
