using PageExt.Boot;
using PageExt.Stacks;

namespace PageExt.Tests.Boot;

public class BootCommandLineTests
{
    [Fact]
    public void Empty_and_null_command_lines_give_the_defaults()
    {
        foreach (string? line in new[] { null, string.Empty, "   \t\n " })
        {
            var result = BootCommandLine.Parse(line);
            Assert.Equal(BootParameters.Default, result.Parameters);
            Assert.Empty(result.Errors);
            Assert.Empty(result.Log);
            Assert.Empty(result.UnknownParameters);
        }
    }

    [Fact]
    public void Defaults_match_the_kernel_and_the_project_table()
    {
        var p = BootParameters.Default;
        Assert.False(p.PageOwner);
        Assert.False(p.DebugPagealloc);
        Assert.Equal(0, p.DebugGuardpageMinorder);
        Assert.False(p.PagePoison);
        Assert.False(p.StackDepotDisable);
        Assert.Equal(8192, p.StackDepotMaxPools);
        Assert.Equal(StackCaptureMode.FramePointer, p.PageOwnerStack);
        Assert.Equal(4096, p.DebugPageallocMaxRanges);
        Assert.Equal(0UL, p.MovableCoreBytes);
        Assert.Equal(0UL, p.CmaBytes);
        Assert.Equal(0UL, p.MemBytes);
    }

    [Fact]
    public void Every_parameter_parses_into_its_typed_property()
    {
        var p = BootCommandLine.ParseOrThrow(
            "page_owner=on debug_pagealloc=1 debug_guardpage_minorder=2 page_poison=y stack_depot_disable=yes " +
            "stack_depot_max_pools=1024 page_owner_stack=managed debug_pagealloc_max_ranges=16384 " +
            "movablecore=256M cma=64M mem=2G");
        Assert.True(p.PageOwner);
        Assert.True(p.DebugPagealloc);
        Assert.Equal(2, p.DebugGuardpageMinorder);
        Assert.True(p.PagePoison);
        Assert.True(p.StackDepotDisable);
        Assert.Equal(1024, p.StackDepotMaxPools);
        Assert.Equal(StackCaptureMode.Managed, p.PageOwnerStack);
        Assert.Equal(16384, p.DebugPageallocMaxRanges);
        Assert.Equal(256UL << 20, p.MovableCoreBytes);
        Assert.Equal(64UL << 20, p.CmaBytes);
        Assert.Equal(2UL << 30, p.MemBytes);
    }

    [Theory]
    [InlineData("fp", StackCaptureMode.FramePointer)]
    [InlineData("managed", StackCaptureMode.Managed)]
    [InlineData("caller", StackCaptureMode.Caller)]
    [InlineData("off", StackCaptureMode.Off)]
    public void Page_owner_stack_words_map_to_modes(string word, StackCaptureMode mode)
    {
        Assert.Equal(mode, BootCommandLine.ParseOrThrow("page_owner_stack=" + word).PageOwnerStack);
    }

    [Theory]
    [InlineData("page_owner=yellow", true)]
    [InlineData("page_owner=ON", true)]
    [InlineData("page_owner=off", false)]
    [InlineData("page_owner=on page_owner=off", false)]
    [InlineData("page_owner=off page_owner=on", true)]
    [InlineData("page-owner=on", true)]
    [InlineData("\"page_owner=on\"", true)]
    [InlineData("page_owner=\"on\"", true)]
    public void Bool_parameters_follow_kstrtobool_order_and_name_rules(string line, bool expected)
    {
        Assert.Equal(expected, BootCommandLine.ParseOrThrow(line).PageOwner);
    }

    [Fact]
    public void Dashes_and_underscores_are_equal_anywhere_in_the_name()
    {
        var p = BootCommandLine.ParseOrThrow("debug-guardpage_minorder=3 stack-depot-max-pools=9");
        Assert.Equal(3, p.DebugGuardpageMinorder);
        Assert.Equal(9, p.StackDepotMaxPools);
    }

    [Fact]
    public void Guardpage_minorder_logs_the_kernel_line_on_success()
    {
        var result = BootCommandLine.Parse("debug_guardpage_minorder=5");
        Assert.Equal(5, result.Parameters.DebugGuardpageMinorder);
        Assert.Equal(["Setting debug_guardpage_minorder to 5"], result.Log);
    }

    [Fact]
    public void Guardpage_minorder_not_a_number_is_an_error_naming_value_and_range()
    {
        var result = BootCommandLine.Parse("debug_guardpage_minorder=banana");
        var error = Assert.Single(result.Errors);
        Assert.Equal("debug_guardpage_minorder: 'banana' is not a number; allowed 0..5", error.Message);
        Assert.Equal("debug_guardpage_minorder", error.Name);
        Assert.Equal("banana", error.Value);
        Assert.Equal("0..5", error.AllowedText);
        Assert.Equal(0, result.Parameters.DebugGuardpageMinorder);
        Assert.Empty(result.Log);
    }

    [Theory]
    [InlineData("debug_guardpage_minorder=6", "debug_guardpage_minorder: '6' is out of range; allowed 0..5")]
    [InlineData("debug_guardpage_minorder=99999999999999999999999", "debug_guardpage_minorder: '99999999999999999999999' is out of range; allowed 0..5")]
    [InlineData("debug_guardpage_minorder=-1", "debug_guardpage_minorder: '-1' is not a number; allowed 0..5")]
    [InlineData("debug_guardpage_minorder=", "debug_guardpage_minorder: '' is not a number; allowed 0..5")]
    [InlineData("debug_guardpage_minorder", "debug_guardpage_minorder: missing value; allowed 0..5")]
    [InlineData("stack_depot_max_pools=0", "stack_depot_max_pools: '0' is out of range; allowed 1..131071")]
    [InlineData("stack_depot_max_pools=131072", "stack_depot_max_pools: '131072' is out of range; allowed 1..131071")]
    [InlineData("debug_pagealloc_max_ranges=16385", "debug_pagealloc_max_ranges: '16385' is out of range; allowed 0..16384")]
    [InlineData("debug_pagealloc_max_ranges=lots", "debug_pagealloc_max_ranges: 'lots' is not a number; allowed 0..16384")]
    [InlineData("page_owner=maybe", "page_owner: 'maybe' is not a boolean; allowed on|off (kstrtobool: y/Y/1/t/T/on true, n/N/0/f/F/off false)")]
    [InlineData("page_owner=o", "page_owner: 'o' is not a boolean; allowed on|off (kstrtobool: y/Y/1/t/T/on true, n/N/0/f/F/off false)")]
    [InlineData("page_owner=", "page_owner: '' is not a boolean; allowed on|off (kstrtobool: y/Y/1/t/T/on true, n/N/0/f/F/off false)")]
    [InlineData("page_owner", "page_owner: missing value; allowed on|off (kstrtobool: y/Y/1/t/T/on true, n/N/0/f/F/off false)")]
    [InlineData("debug_pagealloc=x", "debug_pagealloc: 'x' is not a boolean; allowed on|off (kstrtobool: y/Y/1/t/T/on true, n/N/0/f/F/off false)")]
    [InlineData("page_poison=2", "page_poison: '2' is not a boolean; allowed on|off (kstrtobool: y/Y/1/t/T/on true, n/N/0/f/F/off false)")]
    [InlineData("stack_depot_disable", "stack_depot_disable: missing value; allowed on|off (kstrtobool: y/Y/1/t/T/on true, n/N/0/f/F/off false)")]
    [InlineData("page_owner_stack=FP", "page_owner_stack: 'FP' is not a valid value; allowed fp|managed|caller|off")]
    [InlineData("page_owner_stack", "page_owner_stack: missing value; allowed fp|managed|caller|off")]
    [InlineData("movablecore=12Q", "movablecore: '12Q' is not a size; allowed <n>[K|M|G|T|P|E]")]
    [InlineData("cma=lots", "cma: 'lots' is not a size; allowed <n>[K|M|G|T|P|E]")]
    [InlineData("cma=64M@0x10000000", "cma: '64M@0x10000000' is not a size; allowed <n>[K|M|G|T|P|E]")]
    [InlineData("cma=17E", "cma: '17E' is out of range; allowed <n>[K|M|G|T|P|E]")]
    [InlineData("mem=0", "mem: '0' is out of range; allowed <n>[K|M|G|T|P|E], at least 4K")]
    [InlineData("mem=100", "mem: '100' is out of range; allowed <n>[K|M|G|T|P|E], at least 4K")]
    [InlineData("mem", "mem: missing value; allowed <n>[K|M|G|T|P|E], at least 4K")]
    public void Every_error_path_names_parameter_value_and_allowed_values(string line, string message)
    {
        var result = BootCommandLine.Parse(line);
        var error = Assert.Single(result.Errors);
        Assert.Equal(message, error.Message);
        Assert.Equal(BootParameters.Default, result.Parameters);
    }

    [Fact]
    public void A_bad_value_keeps_the_previous_setting_and_later_ones_still_apply()
    {
        var result = BootCommandLine.Parse("debug_guardpage_minorder=2 debug_guardpage_minorder=9 page_owner=on");
        Assert.Equal(2, result.Parameters.DebugGuardpageMinorder);
        Assert.True(result.Parameters.PageOwner);
        Assert.Single(result.Errors);
        Assert.Equal(["Setting debug_guardpage_minorder to 2"], result.Log);
    }

    [Fact]
    public void ParseOrThrow_lists_every_error()
    {
        var ex = Assert.Throws<BootParameterException>(() =>
            BootCommandLine.ParseOrThrow("page_owner=maybe debug_guardpage_minorder=banana mem=1"));
        Assert.Equal(3, ex.Errors.Count);
        Assert.Contains("page_owner: 'maybe'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("debug_guardpage_minorder: 'banana' is not a number; allowed 0..5", ex.Message, StringComparison.Ordinal);
        Assert.Contains("mem: '1' is out of range", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_parameters_are_collected_and_reported_like_the_kernel()
    {
        var result = BootCommandLine.Parse("quiet page_owner=on foo=bar \"splash=a b\" console=ttyS0");
        Assert.True(result.Parameters.PageOwner);
        Assert.Empty(result.Errors);
        Assert.Equal(["quiet", "foo=bar", "splash=a b", "console=ttyS0"], result.UnknownParameters);
        Assert.Equal(
            ["Unknown kernel command line parameters \"quiet foo=bar splash=a b console=ttyS0\", will be passed to user space."],
            result.Log);
    }

    [Fact]
    public void Quoted_values_may_hold_spaces_and_lose_their_quotes()
    {
        var result = BootCommandLine.Parse("x=\"a b  c\" page_owner=\"on\" \"y=d e\"");
        Assert.Equal(["x=a b  c", "y=d e"], result.UnknownParameters);
        Assert.True(result.Parameters.PageOwner);
    }

    [Fact]
    public void Equals_at_the_start_does_not_split_and_later_equals_stay_in_the_value()
    {
        var result = BootCommandLine.Parse("=x a=b=c");
        Assert.Equal(["=x", "a=b=c"], result.UnknownParameters);
    }

    [Fact]
    public void Double_dash_ends_the_kernel_part()
    {
        var result = BootCommandLine.Parse("page_owner=on -- page_poison=on single");
        Assert.True(result.Parameters.PageOwner);
        Assert.False(result.Parameters.PagePoison);
        Assert.Equal(["page_poison=on", "single"], result.InitArguments);
        Assert.Empty(result.UnknownParameters);
    }

    [Theory]
    [InlineData("debug_pagealloc=on disable_debug_pagealloc", false)]
    [InlineData("debug_pagealloc=on disable_debug_pagealloc=whatever", false)]
    [InlineData("disable_debug_pagealloc debug_pagealloc=on", true)]
    [InlineData("disable-debug-pagealloc", false)]
    public void Seed_disable_flag_turns_debug_pagealloc_off_in_command_line_order(string line, bool expected)
    {
        var result = BootCommandLine.Parse(line);
        Assert.Empty(result.Errors);
        Assert.Equal(expected, result.Parameters.DebugPagealloc);
    }

    [Fact]
    public void Effective_settings_print_as_name_value_and_round_trip()
    {
        var p = BootCommandLine.ParseOrThrow("page_owner=y debug_guardpage_minorder=1 cma=0x4000000 mem=1048576K page_owner_stack=caller");
        Assert.Equal(
            "page_owner=on debug_pagealloc=off debug_guardpage_minorder=1 page_poison=off stack_depot_disable=off " +
            "stack_depot_max_pools=8192 page_owner_stack=caller debug_pagealloc_max_ranges=4096 cma=64M mem=1G",
            p.ToCommandLine());
        Assert.Equal(p, BootCommandLine.ParseOrThrow(p.ToCommandLine()));
        Assert.Equal(p.ToCommandLine(), p.ToString());
        Assert.Equal(BootParameters.Default, BootCommandLine.ParseOrThrow(BootParameters.Default.ToCommandLine()));
    }

    [Fact]
    public void Environment_variable_is_read_when_asked()
    {
        string? saved = Environment.GetEnvironmentVariable(BootCommandLine.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(BootCommandLine.EnvironmentVariable, "page_poison=on debug_guardpage_minorder=1");
            Assert.Equal("page_poison=on debug_guardpage_minorder=1", BootCommandLine.ReadEnvironment());
            var result = BootCommandLine.ParseEnvironment();
            Assert.True(result.Parameters.PagePoison);
            Assert.Equal(1, result.Parameters.DebugGuardpageMinorder);

            Environment.SetEnvironmentVariable(BootCommandLine.EnvironmentVariable, null);
            Assert.Equal(string.Empty, BootCommandLine.ReadEnvironment());
            Assert.Equal(BootParameters.Default, BootCommandLine.ParseEnvironment().Parameters);
        }
        finally
        {
            Environment.SetEnvironmentVariable(BootCommandLine.EnvironmentVariable, saved);
        }
    }
}
