namespace DevInterp.Storage;

/// <summary>
/// A typed row of a stored table: the record names its table's <see cref="Schema"/> and converts itself to and from
/// the table's columns. <see cref="AnalysisStore"/> writes, reads and consolidates any such row type.
/// </summary>
/// <typeparam name="TSelf">The row record itself.</typeparam>
public interface IStoreRow<TSelf> where TSelf : IStoreRow<TSelf>
{
    /// <summary>The table this row belongs to.</summary>
    static abstract TableSchema Schema { get; }

    /// <summary>Writes every fixed column of the schema exactly once (any order), and any extra columns.</summary>
    void WriteTo(RowWriter writer);

    /// <summary>Builds a row from the reader's current row.</summary>
    static abstract TSelf ReadFrom(RowReader reader);
}
