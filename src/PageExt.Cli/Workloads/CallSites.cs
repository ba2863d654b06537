using System.Reflection;
using System.Reflection.Emit;
using PageExt.Buddy;
using PageExt.Physical;

namespace PageExt.Cli.Workloads;

/// <summary>
/// Real methods named after a workload's call sites. A replayed "alloc a1 0 GFP_KERNEL
/// slab_grow" runs inside a method called <c>Workload.slab_grow</c>, so page_owner captures and
/// prints it as a frame of the allocation stack, exactly as a kernel stack names the function that
/// allocated. Methods are emitted once per site and never inlined.
/// </summary>
internal sealed class CallSites
{
    private static readonly MethodInfo s_alloc = typeof(Machine).GetMethod(nameof(Machine.TryAllocPages))!;
    private static readonly MethodInfo s_free = typeof(Machine).GetMethod(nameof(Machine.FreePages))!;
    private readonly ModuleBuilder _module;
    private readonly Dictionary<string, AllocSite> _allocs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FreeSite> _frees = new(StringComparer.Ordinal);
    private int _next;

    public CallSites()
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("PageExt.Workload"), AssemblyBuilderAccess.Run);
        _module = assembly.DefineDynamicModule("PageExt.Workload");
    }

    public delegate bool AllocSite(Machine machine, GfpFlags gfp, int order, out Pfn pfn);

    public delegate void FreeSite(Machine machine, Pfn pfn, int order);

    public AllocSite Alloc(string site)
    {
        if (!_allocs.TryGetValue(site, out var method))
        {
            method = Emit<AllocSite>(site, [typeof(Machine), typeof(GfpFlags), typeof(int), typeof(Pfn).MakeByRefType()], typeof(bool), s_alloc);
            _allocs[site] = method;
        }

        return method;
    }

    public FreeSite Free(string site)
    {
        if (!_frees.TryGetValue(site, out var method))
        {
            method = Emit<FreeSite>(site, [typeof(Machine), typeof(Pfn), typeof(int)], typeof(void), s_free);
            _frees[site] = method;
        }

        return method;
    }

    private T Emit<T>(string site, Type[] parameters, Type returnType, MethodInfo target)
        where T : Delegate
    {
        // One type per method: a type is the unit that is created, and sites arrive one by one.
        var type = _module.DefineType($"Workload{_next++}", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Abstract);
        var method = type.DefineMethod(site, MethodAttributes.Public | MethodAttributes.Static, returnType, parameters);
        method.SetImplementationFlags(MethodImplAttributes.NoInlining);
        var il = method.GetILGenerator();
        for (short i = 0; i < parameters.Length; i++)
        {
            il.Emit(OpCodes.Ldarg, i);
        }

        il.Emit(OpCodes.Callvirt, target);
        il.Emit(OpCodes.Ret);
        var created = type.CreateType();
        return created.GetMethod(site)!.CreateDelegate<T>();
    }
}
