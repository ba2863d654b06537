using System.Reflection;
using System.Reflection.Emit;
using PageExt.Buddy;
using PageExt.Physical;

namespace PageExt.Cli.Workloads;

/// <summary>
/// Real methods named after a workload's call sites. A replayed "alloc a1 0 GFP_KERNEL
/// slab_grow" runs inside a method called <c>Workload.slab_grow</c>, so page_owner captures and
/// prints it as a frame of the allocation stack, exactly as a kernel stack names the function that
/// allocated. Sites are emitted in batches as a streamed workload first names them, each batch a
/// type <c>Workload</c> of its own dynamic assembly: the runtime caps the methods of one type
/// (a file with 70,000 sites failed with "contains more methods than the current implementation
/// allows"), and a stream cannot know all its sites up front.
/// </summary>
internal sealed class CallSites
{
    /// <summary>Methods per emitted type, well under the runtime's per-type limit.</summary>
    public const int MethodsPerType = 4096;

    private static readonly MethodInfo s_alloc = typeof(Machine).GetMethod(nameof(Machine.TryAllocPages))!;
    private static readonly MethodInfo s_free = typeof(Machine).GetMethod(nameof(Machine.FreePages))!;
    private readonly Dictionary<string, AllocSite> _allocs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FreeSite> _frees = new(StringComparer.Ordinal);

    public delegate bool AllocSite(Machine machine, GfpFlags gfp, int order, out Pfn pfn);

    public delegate void FreeSite(Machine machine, Pfn pfn, int order);

    /// <summary>How many emitted types hold the sites so far.</summary>
    public int Types { get; private set; }

    public int Count => _allocs.Count + _frees.Count;

    public bool HasAlloc(string site) => _allocs.ContainsKey(site);

    public bool HasFree(string site) => _frees.ContainsKey(site);

    public AllocSite Alloc(string site) => _allocs[site];

    public FreeSite Free(string site) => _frees[site];

    /// <summary>Emits the sites not defined yet, at most <see cref="MethodsPerType"/> to a type.</summary>
    public void Define(IReadOnlyCollection<string> allocSites, IReadOnlyCollection<string> freeSites)
    {
        var pending = allocSites.Where(s => !_allocs.ContainsKey(s)).Distinct(StringComparer.Ordinal).Select(s => (Site: s, Alloc: true))
            .Concat(freeSites.Where(s => !_frees.ContainsKey(s)).Distinct(StringComparer.Ordinal).Select(s => (Site: s, Alloc: false)))
            .ToList();
        for (int start = 0; start < pending.Count; start += MethodsPerType)
        {
            DefineType(pending.GetRange(start, Math.Min(MethodsPerType, pending.Count - start)));
        }
    }

    private void DefineType(List<(string Site, bool Alloc)> sites)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("PageExt.Workload"), AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule("PageExt.Workload")
            .DefineType("Workload", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Abstract);

        // A site that both allocates and frees gets two overloads of one name (their signatures differ).
        foreach (var (site, alloc) in sites)
        {
            if (alloc)
            {
                Define(type, site, [typeof(Machine), typeof(GfpFlags), typeof(int), typeof(Pfn).MakeByRefType()], typeof(bool), s_alloc);
            }
            else
            {
                Define(type, site, [typeof(Machine), typeof(Pfn), typeof(int)], typeof(void), s_free);
            }
        }

        var created = type.CreateType();
        Types++;
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
