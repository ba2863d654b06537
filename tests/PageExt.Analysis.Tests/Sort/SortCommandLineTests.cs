using PageExt.Analysis.Sort;

namespace PageExt.Analysis.Tests.Sort;

public sealed class SortCommandLineTests
{
    private static SortCommandLineResult Parse(string args) => SortCommandLine.Parse(args.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void Default_is_count_descending_with_ts_stripped()
    {
        var options = Parse("in out").Options!;
        Assert.Equal([new SortTerm(SortKey.Times, Descending: true)], options.Sort);
        Assert.True(options.StripTimestamp);
        Assert.Equal(("in", "out"), (options.Input, options.Output));
    }

    [Theory]
    [InlineData("-m", "Pages", true)]
    [InlineData("-s", "StackTrace", false)]
    [InlineData("-p", "Pid", false)]
    [InlineData("-P", "Tgid", false)]
    [InlineData("-n", "Comm", false)]
    [InlineData("-t", "Times", true)]
    [InlineData("-mm", "Pages", true)]
    public void Letter_sets_the_single_key(string letter, string key, bool descending)
    {
        var options = Parse($"{letter} in out").Options!;
        Assert.Equal(Enum.Parse<SortKey>(key), Assert.Single(options.Sort).Key);
        Assert.Equal(descending, options.Sort[0].Descending);
    }

    [Fact]
    public void Alloc_time_letter_keeps_the_ts_digits_and_the_v6_19_comparator()
    {
        var options = Parse("-a in out").Options!;
        Assert.False(options.StripTimestamp);
        Assert.False(options.Sort[0].ThreeWayTimestamp);
    }

    [Theory]
    [InlineData("-m -s in out")]
    [InlineData("-ms in out")]
    [InlineData("-a -t in out")]
    public void Two_letters_are_a_usage_error(string args)
    {
        var result = Parse(args);
        Assert.Null(result.Options);
        Assert.Equal(1, result.ExitCode);
        Assert.True(result.ShowUsage);
    }

    [Theory]
    [InlineData("--cull=comm in out", "wrong argument after --cull option:comm")]
    [InlineData("--cull= in out", "wrong argument after --cull option:")]
    [InlineData("--sort=-x in out", "wrong argument after --sort option:-x")]
    [InlineData("--pid=12,abc in out", "wrong/invalid pid in from the command line:12,abc")]
    [InlineData("--tgid=99999999999999999999 in out", "wrong/invalid tgid in from the command line:99999999999999999999")]
    public void Bad_key_lists_print_the_kernel_message_and_exit_1(string args, string message)
    {
        var result = Parse(args);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(message, result.Message);
        Assert.False(result.ShowUsage);
    }

    [Theory]
    [InlineData("-x in out", "invalid option -- 'x'")]
    [InlineData("--bogus in out", "unrecognized option '--bogus'")]
    [InlineData("--pid", "option '--pid' requires an argument")]
    [InlineData("in", "missing <output>")]
    [InlineData("-f in out", "invalid option -- 'f'")]
    public void Usage_errors_exit_1(string args, string message)
    {
        var result = Parse(args);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(message, result.Message);
        Assert.True(result.ShowUsage);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    [InlineData("--he")]
    public void Help_exits_0(string args)
    {
        var result = Parse(args);
        Assert.Null(result.Options);
        Assert.Equal(0, result.ExitCode);
        Assert.True(result.ShowUsage);
    }

    [Fact]
    public void Getopt_permutes_and_accepts_prefixes_and_separate_values()
    {
        var options = Parse("in --c st out --so -pid,name --pid 1,+2,-3 -d").Options!;
        Assert.Equal(CullKeys.StackTrace, options.Cull);
        Assert.Equal([new SortTerm(SortKey.Pid, true), new SortTerm(SortKey.Comm, false)], options.Sort);
        Assert.Equal([1, 2, -3], options.Pids!);
        Assert.True(options.Debug);
        Assert.Equal(("in", "out"), (options.Input, options.Output));
    }

    [Fact]
    public void Sort_is_kept_without_a_letter_and_overridden_by_one()
    {
        Assert.Equal(SortKey.Tgid, Parse("--sort=tg in out").Options!.Sort[0].Key);
        Assert.Equal(SortKey.Pages, Parse("--sort=tg -m in out").Options!.Sort[0].Key);
        Assert.False(Parse("--sort=at,p in out").Options!.StripTimestamp);
    }

    [Fact]
    public void Compat_v6_6_letters_set_the_key_as_read_and_allow_free_keys()
    {
        var options = Parse("--compat=v6.6 -m -s -f --cull=f,st in out").Options!;
        Assert.Equal(CompatMode.V6_6, options.Compat);
        Assert.Equal(SortKey.StackTrace, Assert.Single(options.Sort).Key);
        Assert.True(options.OnlyUnreleased);
        Assert.Equal(CullKeys.Free | CullKeys.StackTrace, options.Cull);
        Assert.False(options.StripTimestamp);
        Assert.Empty(Parse("--compat=v6.6 in out").Options!.Sort);
    }

    [Fact]
    public void Compat_2014_takes_no_sort_options()
    {
        Assert.Equal(1, Parse("--compat=2014 -m in out").ExitCode);
        Assert.Equal(CompatMode.Y2014, Parse("--compat 2014 in out").Options!.Compat);
    }

    [Fact]
    public void Formats_are_parsed()
    {
        Assert.Equal(OutputFormat.Folded, Parse("--format=folded in out").Options!.Format);
        Assert.Equal(1, Parse("--format=xml in out").ExitCode);
    }

    [Theory]
    [InlineData("v6.19", "Modern")]
    [InlineData("v6.7", "Modern")]
    [InlineData("5.18", "V6_6")]
    [InlineData("v3.19", "Y2014")]
    public void Compat_accepts_each_generation_s_other_spellings(string given, string expected)
    {
        Assert.Equal(expected, Parse($"in out --compat {given}").Options!.Compat.ToString());
    }

    [Fact]
    public void An_unknown_compat_is_a_usage_error_naming_the_choices()
    {
        var result = Parse("--compat=v5 in out");

        Assert.Equal((1, "unknown --compat value 'v5' (expected modern, v6.6 or 2014)", true), (result.ExitCode, result.Message, result.ShowUsage));
    }

    [Theory]
    [InlineData("--help=yes", "option '--help' doesn't allow an argument")]
    [InlineData("--compat=2014 --pid=1 in out", "option '--pid' does not exist in the 2014 tool")]
    [InlineData("", "missing <input> and <output>")]
    [InlineData("in out extra", "unexpected argument 'extra': sort takes one <input> and one <output>")]
    public void Long_option_and_file_count_errors_show_the_usage(string args, string message)
    {
        var result = Parse(args);

        Assert.Equal((1, message, true), (result.ExitCode, result.Message, result.ShowUsage));
    }

    [Fact]
    public void Double_dash_ends_the_options_so_a_file_may_start_with_a_dash()
    {
        var options = Parse("-m -- -in -out").Options!;

        Assert.Equal(("-in", "-out"), (options.Input, options.Output));
        Assert.Equal(SortKey.Pages, options.Sort[0].Key);
    }

    [Fact]
    public void A_v6_6_cull_without_a_key_sorts_by_times_and_a_later_letter_replaces_it()
    {
        Assert.Equal([new SortTerm(SortKey.Times, Descending: true)], Parse("--compat=v6.6 --cull=pid in out").Options!.Sort);
        Assert.Equal(SortKey.Pid, Assert.Single(Parse("--compat=v6.6 --cull=pid -p in out").Options!.Sort).Key);
    }

    [Theory]
    [InlineData("512K", 512L << 10)]
    [InlineData("3m", 3L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("4096", 4096L)]
    public void Memory_budget_takes_a_size_with_a_binary_suffix(string given, long bytes)
    {
        Assert.Equal(bytes, Parse($"--memory-budget={given} in out").Options!.MemoryBudgetBytes);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1M")]
    [InlineData("1T")]
    [InlineData("99999999999G")]
    public void A_bad_memory_budget_is_named_without_the_usage(string given)
    {
        var result = Parse($"--memory-budget={given} in out");

        Assert.Equal((1, $"wrong --memory-budget '{given}' (expected a size such as 64M, 512K or 2G)", false), (result.ExitCode, result.Message, result.ShowUsage));
    }
}
