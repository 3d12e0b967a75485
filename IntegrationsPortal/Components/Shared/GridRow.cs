namespace IntegrationsPortal.Components.Shared;

/// <summary>
/// A row that a <c>MudDataGrid</c> or <c>MudTable</c> shows, identified by <see cref="RowKey"/> (the id of
/// the thing the row shows). Both grids key their rows by item (<c>@key="item"</c>): with a record's value
/// equality a reload that changed anything (or only rebuilt a list field) made a new key, so Blazor removed
/// the row and drew it anew, its buttons included, and a click whose mouse down and mouse up straddled
/// a live refresh reached no button. A row type implements this interface and is equal by key alone:
/// <code>
/// Guid IGridRow.RowKey => Id;
/// public bool Equals(MyRow? other) => GridRow.Same(this, other);
/// public override int GetHashCode() => GridRow.Hash(this);
/// </code>
/// See docs/decisions/040-grid-rows-equal-by-key.md.
/// </summary>
public interface IGridRow
{
    /// <summary>What makes two loads of a row the same row. Implement it explicitly, so the API's JSON does not carry it.</summary>
    object RowKey { get; }
}

/// <summary>Equality by <see cref="IGridRow.RowKey"/>, for the records that implement it.</summary>
public static class GridRow
{
    public static bool Same(IGridRow row, IGridRow? other) =>
        other is not null && other.GetType() == row.GetType() && row.RowKey.Equals(other.RowKey);

    public static int Hash(IGridRow row) => row.RowKey.GetHashCode();
}
