using System.Reflection;
using System.Reflection.Emit;
using PageExt.Buddy;
using PageExt.Physical;
using PageExt.Workloads;

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
    private static readonly MethodInfo s_release = typeof(Machine).GetMethod(nameof(Machine.ReleasePages))!;
    private readonly Dictionary<string, AllocSite> _allocs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FreeSite> _frees = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReleaseSite> _releases = new(StringComparer.Ordinal);

    public delegate bool AllocSite(Machine machine, GfpFlags gfp, int order, out Pfn pfn);

    public delegate void FreeSite(Machine machine, Pfn pfn, int order);

    public delegate void ReleaseSite(Machine machine, ReadOnlySpan<Pfn> blocks);

    /// <summary>How many emitted types hold the sites so far.</summary>
    public int Types { get; private set; }

    public int Count => _allocs.Count + _frees.Count + _releases.Count;

    public bool Has(WorkloadOpKind kind, string site) => kind switch
    {
        WorkloadOpKind.Alloc => _allocs.ContainsKey(site),
        WorkloadOpKind.Free => _frees.ContainsKey(site),
        _ => _releases.ContainsKey(site),
    };

    public AllocSite Alloc(string site) => _allocs[site];

    public FreeSite Free(string site) => _frees[site];

    public ReleaseSite Release(string site) => _releases[site];

    /// <summary>Emits the sites not defined yet, at most <see cref="MethodsPerType"/> to a type.</summary>
    public void Define(IReadOnlyCollection<(WorkloadOpKind Kind, string Site)> sites)
    {
        var pending = sites.Where(s => !Has(s.Kind, s.Site)).Distinct().ToList();
        for (int start = 0; start < pending.Count; start += MethodsPerType)
        {
            DefineType(pending.GetRange(start, Math.Min(MethodsPerType, pending.Count - start)));
        }
    }

    private void DefineType(List<(WorkloadOpKind Kind, string Site)> sites)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("PageExt.Workload"), AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule("PageExt.Workload")
            .DefineType("Workload", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Abstract);

        // A site used for several kinds gets one overload of its name per kind (their signatures differ).
        foreach (var (kind, site) in sites)
        {
            switch (kind)
            {
                case WorkloadOpKind.Alloc:
                    Define(type, site, [typeof(Machine), typeof(GfpFlags), typeof(int), typeof(Pfn).MakeByRefType()], typeof(bool), s_alloc);
                    break;
                case WorkloadOpKind.Free:
                    Define(type, site, [typeof(Machine), typeof(Pfn), typeof(int)], typeof(void), s_free);
                    break;
                default:
                    Define(type, site, [typeof(Machine), typeof(ReadOnlySpan<Pfn>)], typeof(void), s_release);
                    break;
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
            else if (method.GetParameters().Length == 2)
            {
                _releases[method.Name] = method.CreateDelegate<ReleaseSite>();
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
