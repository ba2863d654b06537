using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using PageExt.Metrics;

namespace PageExt.Tests.Metrics;

/// <summary>The static Meter and EventSource outlive every machine; they must not keep one alive.</summary>
[Collection(ProcessWideCollection.Name)]
public sealed class MachineLifetimeTests
{
    [Fact]
    public void A_disposed_machine_is_collected_while_both_listeners_are_observing()
    {
        using var counters = new CounterListener();
        long observed = 0;
        using var meter = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PageExtMetrics.Name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meter.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref observed));
        meter.Start();

        var machine = BootObserveAndDispose(counters, meter);
        for (int i = 0; i < 10 && machine.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.True(Interlocked.Read(ref observed) > 0);
        Assert.False(machine.IsAlive, "a disposed machine is still reachable");
    }

    /// <summary>
    /// Boot, use the machine, let both listeners read it, and dispose it, all on a thread that then
    /// exits: a thread's own per-CPU state refers to the machines it used until it uses another,
    /// which is not what this test is about.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference BootObserveAndDispose(CounterListener counters, MeterListener meter)
    {
        WeakReference? weak = null;
        TestThreads.RunAndAssert(1, _ =>
        {
            var machine = TestMachines.Boot(cmdline: "page_owner=on page_poison=1");
            MetricsWorkload.Pairs(machine, 100, 0);
            int seen = counters.WaitBeyond("page-allocations", 0);
            meter.RecordObservableInstruments();
            counters.WaitBeyond("page-allocations", seen);
            machine.Dispose();
            meter.RecordObservableInstruments();
            weak = new WeakReference(machine);
        });

        return weak!;
    }
}
