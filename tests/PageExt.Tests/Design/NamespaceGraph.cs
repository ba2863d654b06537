using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace PageExt.Tests.Design;

/// <summary>
/// Which namespace of one assembly uses which, read from the compiled metadata rather than from
/// <c>using</c> lines: base types and interfaces, generic constraints, field, method, property and
/// local signatures, custom attributes, and every type, method and field token in method-body IL.
/// A use inside a nested or compiler-generated type (lambda closures, state machines) counts for
/// the namespace of its outermost type. Only namespaces under the given prefix are nodes; uses of
/// other assemblies' types are not edges.
/// </summary>
internal sealed class NamespaceGraph
{
    private static readonly Dictionary<short, OperandType> s_operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(op => op.Value, op => op.OperandType);

    // edge (from, to) -> the type-level uses that make it, in the order found, for the failure message
    private readonly Dictionary<(string From, string To), List<string>> _edges = [];

    private NamespaceGraph()
    {
    }

    public IReadOnlyCollection<(string From, string To)> Edges => _edges.Keys;

    public static NamespaceGraph Read(string assemblyPath, string namespacePrefix)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var graph = new NamespaceGraph();
        new Scanner(reader, pe, namespacePrefix, graph).ScanAll();
        return graph;
    }

    /// <summary>The namespace cycles (strongly connected components of two or more namespaces), each as one closed path with the uses that make its edges.</summary>
    public IReadOnlyList<string> DescribeCycles()
    {
        var next = _edges.Keys.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var cycles = new List<string>();
        foreach (var component in StronglyConnectedComponents(next).Where(c => c.Count > 1))
        {
            var path = ClosedPath(component.Min(StringComparer.Ordinal)!, component, next);
            var lines = new List<string> { string.Join(" -> ", path) };
            for (int i = 0; i + 1 < path.Count; i++)
            {
                lines.Add($"  {path[i]} -> {path[i + 1]}: {Uses(_edges[(path[i], path[i + 1])])}");
            }

            lines.Add($"  every use between the namespaces of this cycle ({string.Join(", ", component.Order(StringComparer.Ordinal))}):");
            foreach (var ((from, to), uses) in _edges.Where(e => component.Contains(e.Key.From) && component.Contains(e.Key.To)).OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal))
            {
                lines.Add($"    {from} -> {to}: {Uses(uses)}");
            }

            cycles.Add(string.Join(Environment.NewLine, lines));
        }

        return cycles;
    }

    private static string Uses(List<string> uses) =>
        uses.Count == 1 ? uses[0] : $"{uses[0]} (and {uses.Count - 1} more: {string.Join("; ", uses.Skip(1).Take(5))}{(uses.Count > 6 ? "; ..." : "")})";

    private void Add(string from, string to, string evidence)
    {
        if (from == to)
        {
            return;
        }

        if (!_edges.TryGetValue((from, to), out var uses))
        {
            _edges[(from, to)] = uses = [];
        }

        if (!uses.Contains(evidence))
        {
            uses.Add(evidence);
        }
    }

    // Tarjan's algorithm, iterative over the sorted node list so the output is stable.
    private static List<HashSet<string>> StronglyConnectedComponents(Dictionary<string, List<string>> next)
    {
        var nodes = next.Keys.Concat(next.Values.SelectMany(v => v)).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<HashSet<string>>();
        int counter = 0;

        void Visit(string v)
        {
            index[v] = low[v] = counter++;
            stack.Push(v);
            onStack.Add(v);
            foreach (string w in next.GetValueOrDefault(v) ?? [])
            {
                if (!index.TryGetValue(w, out int seen))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], seen);
                }
            }

            if (low[v] == index[v])
            {
                var component = new HashSet<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                result.Add(component);
            }
        }

        foreach (string node in nodes)
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return result;
    }

    // The shortest way from start back to start inside its component (breadth first).
    private static List<string> ClosedPath(string start, HashSet<string> component, Dictionary<string, List<string>> next)
    {
        var parent = new Dictionary<string, string>();
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            string v = queue.Dequeue();
            foreach (string w in next.GetValueOrDefault(v) ?? [])
            {
                if (!component.Contains(w))
                {
                    continue;
                }

                if (w == start)
                {
                    var path = new List<string> { start };
                    for (string at = v; at != start; at = parent[at])
                    {
                        path.Add(at);
                    }

                    path.Add(start);
                    path.Reverse();
                    return path;
                }

                if (parent.TryAdd(w, v))
                {
                    queue.Enqueue(w);
                }
            }
        }

        throw new InvalidOperationException($"{start} is in a strongly connected component but no path returns to it");
    }

    private sealed class Scanner(MetadataReader reader, PEReader pe, string prefix, NamespaceGraph graph)
        : ISignatureTypeProvider<bool, object?>
    {
        private string _fromType = "";
        private string _fromNamespace = "";

        public void ScanAll()
        {
            foreach (var handle in reader.TypeDefinitions)
            {
                var type = reader.GetTypeDefinition(handle);
                string? ns = OwnNamespace(handle);
                if (ns is null)
                {
                    continue;
                }

                _fromNamespace = ns;
                _fromType = FullName(handle);
                ScanType(type);
            }
        }

        private void ScanType(TypeDefinition type)
        {
            UseType(type.BaseType);
            foreach (var i in type.GetInterfaceImplementations())
            {
                UseType(reader.GetInterfaceImplementation(i).Interface);
            }

            UseGenericParameters(type.GetGenericParameters());
            UseAttributes(type.GetCustomAttributes());
            foreach (var f in type.GetFields())
            {
                var field = reader.GetFieldDefinition(f);
                field.DecodeSignature(this, null);
                UseAttributes(field.GetCustomAttributes());
            }

            foreach (var p in type.GetProperties())
            {
                var property = reader.GetPropertyDefinition(p);
                property.DecodeSignature(this, null);
                UseAttributes(property.GetCustomAttributes());
            }

            foreach (var e in type.GetEvents())
            {
                UseType(reader.GetEventDefinition(e).Type);
            }

            foreach (var m in type.GetMethodImplementations())
            {
                var impl = reader.GetMethodImplementation(m);
                UseMember(impl.MethodDeclaration);
            }

            foreach (var m in type.GetMethods())
            {
                ScanMethod(reader.GetMethodDefinition(m));
            }
        }

        private void ScanMethod(MethodDefinition method)
        {
            method.DecodeSignature(this, null);
            UseGenericParameters(method.GetGenericParameters());
            UseAttributes(method.GetCustomAttributes());
            foreach (var p in method.GetParameters())
            {
                UseAttributes(reader.GetParameter(p).GetCustomAttributes());
            }

            if (method.RelativeVirtualAddress == 0)
            {
                return;
            }

            var body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
            {
                reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null);
            }

            foreach (var region in body.ExceptionRegions)
            {
                if (region.Kind == ExceptionRegionKind.Catch)
                {
                    UseType(region.CatchType);
                }
            }

            ScanIl(body.GetILReader());
        }

        private void ScanIl(BlobReader il)
        {
            while (il.RemainingBytes > 0)
            {
                short code = il.ReadByte();
                if (code == 0xFE)
                {
                    code = (short)(0xFE00 | il.ReadByte());
                }

                switch (s_operands[code])
                {
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineSwitch:
                        int targets = il.ReadInt32();
                        il.Offset += 4 * targets;
                        break;
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok or OperandType.InlineSig:
                        UseToken(il.ReadInt32());
                        break;
                    default:
                        il.Offset += 4; // InlineI, InlineBrTarget, InlineString, ShortInlineR
                        break;
                }
            }
        }

        private void UseToken(int token)
        {
            var handle = MetadataTokens.EntityHandle(token);
            switch (handle.Kind)
            {
                case HandleKind.StandaloneSignature:
                    var sig = reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                    if (sig.GetKind() == StandaloneSignatureKind.Method)
                    {
                        sig.DecodeMethodSignature(this, null);
                    }

                    break;
                default:
                    UseMember(handle);
                    break;
            }
        }

        private void UseMember(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition or HandleKind.TypeReference or HandleKind.TypeSpecification:
                    UseType(handle);
                    break;
                case HandleKind.MethodDefinition:
                    var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                    UseType(method.GetDeclaringType());
                    method.DecodeSignature(this, null);
                    break;
                case HandleKind.FieldDefinition:
                    var field = reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                    UseType(field.GetDeclaringType());
                    field.DecodeSignature(this, null);
                    break;
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    UseMember(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        member.DecodeMethodSignature(this, null);
                    }
                    else
                    {
                        member.DecodeFieldSignature(this, null);
                    }

                    break;
                case HandleKind.MethodSpecification:
                    var spec = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    UseMember(spec.Method);
                    spec.DecodeSignature(this, null);
                    break;
            }
        }

        private void UseType(EntityHandle handle)
        {
            if (handle.IsNil)
            {
                return;
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    GetTypeFromDefinition(reader, (TypeDefinitionHandle)handle, 0);
                    break;
                case HandleKind.TypeSpecification:
                    reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                    break;
            }
        }

        private void UseGenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (var p in parameters)
            {
                foreach (var c in reader.GetGenericParameter(p).GetConstraints())
                {
                    UseType(reader.GetGenericParameterConstraint(c).Type);
                }
            }
        }

        private void UseAttributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var a in attributes)
            {
                UseMember(reader.GetCustomAttribute(a).Constructor);
            }
        }

        private string? OwnNamespace(TypeDefinitionHandle handle)
        {
            var outer = reader.GetTypeDefinition(handle);
            while (outer.IsNested)
            {
                outer = reader.GetTypeDefinition(outer.GetDeclaringType());
            }

            string ns = reader.GetString(outer.Namespace);
            return ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal) ? ns : null;
        }

        private string FullName(TypeDefinitionHandle handle)
        {
            var type = reader.GetTypeDefinition(handle);
            string name = reader.GetString(type.Name);
            return type.IsNested ? FullName(type.GetDeclaringType()) + "+" + name : reader.GetString(type.Namespace) + "." + name;
        }

        public bool GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            string? to = OwnNamespace(handle);
            if (to is not null)
            {
                graph.Add(_fromNamespace, to, $"{_fromType} uses {FullName(handle)}");
            }

            return false;
        }

        public bool GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind) => false;

        public bool GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
        {
            metadata.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
            return false;
        }

        public bool GetPrimitiveType(PrimitiveTypeCode typeCode) => false;

        public bool GetSZArrayType(bool elementType) => false;

        public bool GetArrayType(bool elementType, ArrayShape shape) => false;

        public bool GetByReferenceType(bool elementType) => false;

        public bool GetPointerType(bool elementType) => false;

        public bool GetPinnedType(bool elementType) => false;

        public bool GetGenericInstantiation(bool genericType, ImmutableArray<bool> typeArguments) => false;

        public bool GetGenericMethodParameter(object? genericContext, int index) => false;

        public bool GetGenericTypeParameter(object? genericContext, int index) => false;

        public bool GetFunctionPointerType(MethodSignature<bool> signature) => false;

        public bool GetModifiedType(bool modifier, bool unmodifiedType, bool isRequired) => false;
    }
}
