using System.Text.RegularExpressions;

namespace DevInterp.Tests;

/// <summary>The shared-folder lookup and the message a checkout without that folder gets.</summary>
public class TestPathsTests
{
    [Fact]
    public void SharedFolderIsBesideTheCheckout()
    {
        string expected = Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "external-checkpoints"));
        Assert.Equal(expected, Path.GetFullPath(TestPaths.External("")));
        Assert.True(File.Exists(Path.Combine(expected, "PROVENANCE.md")));
    }

    [Fact]
    public void MissingFolderMessageSaysWhatAndWhereWithoutPointingAtAbsentFiles()
    {
        string dir = Path.Combine(TestPaths.RepoRoot, "..", "shared", "external-checkpoints");
        string message = TestPaths.MissingSharedFolderMessage(dir);
        Assert.Contains(dir, message);
        Assert.Contains("../shared/external-checkpoints beside the checkout", message);
        Assert.Contains("PyTorch, safetensors and TorchSharp", message);
        // Every document the message names exists: in the repository, or (PROVENANCE.md) in the shared folder itself.
        var named = Regex.Matches(message, @"[\w./-]+\.md").Select(m => m.Value).ToList();
        Assert.NotEmpty(named);
        foreach (string doc in named)
        {
            bool exists = doc == "PROVENANCE.md"
                ? File.Exists(Path.Combine(TestPaths.External(""), doc))
                : File.Exists(Path.Combine(TestPaths.RepoRoot, doc));
            Assert.True(exists, $"the message names {doc}, which does not exist");
        }
        Assert.DoesNotContain("DEVELOPERS.md", message);
    }
}
