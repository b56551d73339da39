using System.Text.RegularExpressions;
using DevInterp.Storage;

namespace DevInterp.Tests.Storage;

/// <summary>docs/analysis-store.md lists exactly the tables and columns the schema classes define.</summary>
public partial class SchemaDocTests
{
    private sealed record DocColumn(string Name, string Type, bool Nullable);

    [GeneratedRegex(@"^### `([a-z0-9_]+)`\s*$")]
    private static partial Regex TableHeading();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellSeparator();

    private static Dictionary<string, List<DocColumn>> ParseDoc()
    {
        var tables = new Dictionary<string, List<DocColumn>>();
        List<DocColumn>? current = null;
        bool inTable = false;
        foreach (string raw in File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "docs", "analysis-store.md")))
        {
            string line = raw.Trim();
            var heading = TableHeading().Match(line);
            if (heading.Success)
            {
                Assert.False(tables.ContainsKey(heading.Groups[1].Value), $"table {heading.Groups[1].Value} documented twice");
                tables[heading.Groups[1].Value] = current = [];
                inTable = false;
                continue;
            }
            if (line.StartsWith('#')) { current = null; continue; }
            if (current is null || !line.StartsWith('|')) { if (inTable) current = null; continue; }
            var cells = CellSeparator().Split(line.Trim('|')).Select(c => c.Trim()).ToArray();
            if (cells[0] == "column" || cells[0].StartsWith("---", StringComparison.Ordinal)) { inTable = true; continue; }
            Assert.True(cells.Length == 4, $"doc row for table {tables.Last().Key} needs 4 cells: {line}");
            Assert.True(cells[2] is "yes" or "no", $"nullable must be yes or no: {line}");
            current.Add(new DocColumn(cells[0].Trim('`'), cells[1].Trim('`'), cells[2] == "yes"));
        }
        return tables;
    }

    [Fact]
    public void TheDocListsExactlyTheTablesAndColumnsOfTheCode()
    {
        var doc = ParseDoc();
        Assert.Equal(AnalysisTables.All.Select(t => t.Name), doc.Keys);
        foreach (var table in AnalysisTables.All)
        {
            var expected = table.Columns.Select(c => new DocColumn(c.Name, c.Kind.TypeName(), c.Nullable)).ToList();
            if (table.Extra is { } extra) expected.Add(new DocColumn(extra.Prefix + "*", extra.Kind.TypeName(), true));
            Assert.Equal(expected, doc[table.Name]);
        }
    }

    [Fact]
    public void SchemasAreWellFormed()
    {
        Assert.Equal(AnalysisTables.All.Count, AnalysisTables.All.Select(t => t.Name).Distinct().Count());
        foreach (var table in AnalysisTables.All)
        {
            Assert.All(table.Columns, c => Assert.True(SnakeCase.IsValid(c.Name), c.Name));
            Assert.All(table.Columns.Where(c => Regex.IsMatch(c.Name, "^(step|step_[ab]|[a-z_]+_step)$")), c => Assert.Equal(ColumnKind.Int64, c.Kind));
            Assert.All(table.Columns, c => Assert.False(string.IsNullOrWhiteSpace(c.Description), $"{table.Name}.{c.Name} needs a description"));
        }
        // The schema constructor refuses what would make files ambiguous.
        Assert.Throws<ArgumentException>(() => new TableSchema("t", "", "", [ColumnSpec.Int64("a", "x"), ColumnSpec.Int64("a", "y")], ["a"]));
        Assert.Throws<ArgumentException>(() => new TableSchema("t", "", "", [ColumnSpec.Int64("a", "x").OrNull()], ["a"]));
        Assert.Throws<ArgumentException>(() => new TableSchema("T", "", "", [ColumnSpec.Int64("a", "x")], ["a"]));
        Assert.Throws<ArgumentException>(() => new TableSchema("t", "", "", [ColumnSpec.Int64("metric_a", "x")], ["metric_a"],
            new ExtraColumns("metric_", ColumnKind.Float64, "m")));
    }
}
