using System.Reflection;
using System.Reflection.Emit;
using PageExt.Buddy;
using PageExt.Physical;

namespace PageExt.Cli.Workloads;

/// <summary>
/// Real methods named after a workload's call sites. A replayed "alloc a1 0 GFP_KERNEL
/// slab_grow" runs inside a method called <c>Workload.slab_grow</c>, so page_owner captures and
/// prints it as a frame of the allocation stack, exactly as a kernel stack names the function that
/// allocated. Every site of a workload is emitted up front into one type, never inlined.
/// </summary>
internal sealed class CallSites
{
    private static readonly MethodInfo s_alloc = typeof(Machine).GetMethod(nameof(Machine.TryAllocPages))!;
    private static readonly MethodInfo s_free = typeof(Machine).GetMethod(nameof(Machine.FreePages))!;
    private readonly Dictionary<string, AllocSite> _allocs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FreeSite> _frees = new(StringComparer.Ordinal);

    public CallSites(IEnumerable<string> allocSites, IEnumerable<string> freeSites)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("PageExt.Workload"), AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule("PageExt.Workload")
            .DefineType("Workload", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Abstract);
        var allocNames = allocSites.Distinct(StringComparer.Ordinal).ToArray();
        var freeNames = freeSites.Distinct(StringComparer.Ordinal).ToArray();

        // A site that both allocates and frees gets two overloads of one name (their signatures differ).
        foreach (var site in allocNames)
        {
            Define(type, site, [typeof(Machine), typeof(GfpFlags), typeof(int), typeof(Pfn).MakeByRefType()], typeof(bool), s_alloc);
        }

        foreach (var site in freeNames)
        {
            Define(type, site, [typeof(Machine), typeof(Pfn), typeof(int)], typeof(void), s_free);
        }

        var created = type.CreateType();
        foreach (var method in created.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
        {
            if (method.ReturnType == typeof(bool))
            {
                _allocs[method.Name] = method.CreateDelegate<AllocSite>();
            }
            else
            {
                _frees[method.Name] = method.CreateDelegate<FreeSite>();
            }
        }
    }

    public delegate bool AllocSite(Machine machine, GfpFlags gfp, int order, out Pfn pfn);

    public delegate void FreeSite(Machine machine, Pfn pfn, int order);

    public AllocSite Alloc(string site) => _allocs[site];

    public FreeSite Free(string site) => _frees[site];

    private static void Define(TypeBuilder type, string name, Type[] parameters, Type returnType, MethodInfo target)
    {
        var method = type.DefineMethod(name, MethodAttributes.Public | MethodAttributes.Static, returnType, parameters);
        method.SetImplementationFlags(MethodImplAttributes.NoInlining);
        var il = method.GetILGenerator();
        for (short i = 0; i < parameters.Length; i++)
        {
            il.Emit(OpCodes.Ldarg, i);
        }

        il.Emit(OpCodes.Callvirt, target);
        il.Emit(OpCodes.Ret);
    }
}
