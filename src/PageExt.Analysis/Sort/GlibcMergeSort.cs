namespace PageExt.Analysis.Sort;

/// <summary>
/// glibc's qsort as it runs for page_owner_sort's arrays: msort_with_tmp, a top-down merge sort that
/// splits n into n/2 and n - n/2 and takes from the left run when cmp &lt;= 0. It is stable, and it
/// also fixes the outcome of the tool's inconsistent comparators (compare_ts never returns 0), so
/// byte-identical output needs this exact algorithm, not just any stable sort.
/// </summary>
internal static class GlibcMergeSort
{
    public static void Sort<T>(T[] items, Comparison<T> compare)
    {
        if (items.Length <= 1)
        {
            return;
        }

        var temporary = new T[items.Length];
        SortRange(items, 0, items.Length, temporary, compare);
    }

    private static void SortRange<T>(T[] items, int start, int count, T[] temporary, Comparison<T> compare)
    {
        if (count <= 1)
        {
            return;
        }

        int leftCount = count / 2;
        SortRange(items, start, leftCount, temporary, compare);
        SortRange(items, start + leftCount, count - leftCount, temporary, compare);

        int left = start;
        int leftEnd = start + leftCount;
        int right = leftEnd;
        int rightEnd = start + count;
        int written = 0;
        while (left < leftEnd && right < rightEnd)
        {
            temporary[written++] = compare(items[left], items[right]) <= 0 ? items[left++] : items[right++];
        }

        while (left < leftEnd)
        {
            temporary[written++] = items[left++];
        }

        Array.Copy(temporary, 0, items, start, written);
    }
}
