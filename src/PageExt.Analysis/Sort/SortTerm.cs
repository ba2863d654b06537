namespace PageExt.Analysis.Sort;

/// <summary>One key of the sort condition with its sign (page_owner_sort's cmps[i] and signs[i]).</summary>
/// <param name="ThreeWayTimestamp">compare_ts of the v6.7-v6.19 tool never returns 0 (equal stamps
/// compare as "greater"), and that decides the order of ties; false reproduces it, true is the mm-tree
/// fix.</param>
internal readonly record struct SortTerm(SortKey Key, bool Descending, bool ThreeWayTimestamp = true);
