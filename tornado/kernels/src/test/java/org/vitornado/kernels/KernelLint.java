package org.vitornado.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.TypeAnnotation;
import java.lang.classfile.attribute.RuntimeVisibleTypeAnnotationsAttribute;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LocalVariable;
import java.lang.classfile.instruction.MonitorInstruction;
import java.lang.classfile.instruction.NewMultiArrayInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.NewPrimitiveArrayInstruction;
import java.lang.classfile.instruction.NewReferenceArrayInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.classfile.instruction.ThrowInstruction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads kernel bytecode (with the JDK's {@code java.lang.classfile}) and reports what TornadoVM's JIT rejects or
 * silently runs as sequential Java: allocation, exceptions, lambdas and string concatenation (invokedynamic),
 * locks, virtual calls other than array get/set, KernelContext and HalfFloat's conversions, calls outside the kernel classes and the maths
 * libraries, raw float bit casts, static final lookup tables, recursion, a missing local-variable table, and
 * {@code @Parallel} loops that do not start at a constant, private or local arrays passed to a helper, and variable names that are OpenCL C keywords (TornadoVM
 * keeps Java names in the generated source). Host methods (those returning a WorkerGrid) are skipped.
 */
final class KernelLint {

    static final String PARALLEL = "Luk/ac/manchester/tornado/api/annotations/Parallel;";
    static final Set<String> ARRAYS = Set.of("FloatArray", "IntArray", "HalfFloatArray", "ByteArray", "ShortArray", "DoubleArray", "LongArray");
    static final Set<String> ARRAY_METHODS = Set.of("get", "set", "getSize");
    static final Set<String> MATHS = Set.of("java/lang/Math", "uk/ac/manchester/tornado/api/math/TornadoMath");
    static final Set<String> BIT_CASTS = Set.of("floatToRawIntBits", "intBitsToFloat", "floatToIntBits");
    /** Java names that TornadoVM copies into OpenCL C, where they are keywords or types (the build fails). */
    static final Set<String> OPENCL_RESERVED = Set.of("kernel", "global", "local", "constant", "private", "read_only",
            "write_only", "read_write", "half", "bool", "uchar", "ushort", "uint", "ulong", "size_t", "ptrdiff_t",
            "image2d_t", "image3d_t", "sampler_t", "event_t", "restrict", "inline", "signed", "unsigned", "typedef",
            "struct", "union", "enum", "register", "volatile", "auto", "extern", "sizeof", "goto", "complex", "imaginary",
            "float2", "float3", "float4", "float8", "float16", "int2", "int3", "int4", "int8", "int16", "uniform", "pipe");

    private KernelLint() {
    }

    /** Problems found in {@code classes}, one line each ({@code Class.method@offset: what}). */
    static List<String> check(Class<?>... classes) {
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> calls = new HashMap<>();
        Set<String> owners = new HashSet<>();
        for (Class<?> c : classes) {
            owners.add(internal(c));
        }
        for (Class<?> c : classes) {
            ClassModel model = parse(c);
            for (MethodModel m : model.methods()) {
                if (m.methodName().stringValue().startsWith("<") || m.methodTypeSymbol().returnType().displayName().equals("WorkerGrid")
                        || m.code().isEmpty()) {
                    continue;
                }
                String where = c.getSimpleName() + "." + m.methodName().stringValue();
                Set<String> callees = calls.computeIfAbsent(internal(c) + "." + m.methodName().stringValue(), k -> new HashSet<>());
                checkMethod(where, m.code().get(), owners, callees, problems);
            }
        }
        findCycles(calls, problems);
        return problems;
    }

    private static void checkMethod(String where, CodeModel code, Set<String> owners, Set<String> callees, List<String> problems) {
        List<CodeElement> elements = code.elementList();
        if (elements.stream().noneMatch(e -> e instanceof LocalVariable)) {
            problems.add(where + ": no LocalVariableTable (compile with -g: TornadoVM needs it to find @Parallel loops)");
        }
        elements.stream().filter(e -> e instanceof LocalVariable).map(e -> ((LocalVariable) e).name().stringValue())
                .filter(OPENCL_RESERVED::contains).distinct()
                .forEach(name -> problems.add(where + ": variable '" + name + "' is an OpenCL C keyword (the generated kernel does not compile)"));
        Set<Label> parallelStarts = new HashSet<>();
        Map<Label, Integer> parallelSlots = new HashMap<>();
        code.findAttribute(Attributes.runtimeVisibleTypeAnnotations()).ifPresent(a -> collectParallel(a, parallelStarts, parallelSlots));

        int offset = 0;
        Instruction previous = null;
        Instruction beforePrevious = null;
        for (CodeElement e : elements) {
            if (e instanceof LabelTarget target && parallelStarts.contains(target.label())) {
                int slot = parallelSlots.get(target.label());
                boolean constantStart = previous instanceof StoreInstruction store && store.slot() == slot
                        && beforePrevious instanceof ConstantInstruction;
                if (!constantStart) {
                    problems.add(where + "@" + offset + ": @Parallel loop does not start at a constant (add the offset inside the body)");
                }
            }
            if (!(e instanceof Instruction insn)) {
                continue;
            }
            String at = where + "@" + offset + ": ";
            switch (insn) {
                case NewObjectInstruction n -> problems.add(at + "allocates an object (" + n.className().asInternalName() + ")");
                case NewReferenceArrayInstruction n -> problems.add(at + "allocates an object array");
                case NewMultiArrayInstruction n -> problems.add(at + "allocates a multi-dimensional array");
                case NewPrimitiveArrayInstruction n -> {
                    if (!(previous instanceof ConstantInstruction)) {
                        problems.add(at + "allocates a primitive array of non-constant size");
                    }
                }
                case ThrowInstruction t -> problems.add(at + "throws an exception");
                case InvokeDynamicInstruction d -> problems.add(at + "uses invokedynamic (lambda or string concatenation)");
                case MonitorInstruction m -> problems.add(at + "takes a lock");
                case FieldInstruction f -> {
                    if (f.opcode() == java.lang.classfile.Opcode.GETSTATIC && f.typeSymbol().isArray()) {
                        problems.add(at + "reads static array " + f.owner().asInternalName() + "." + f.name().stringValue() + " (lookup tables are rejected)");
                    }
                }
                case InvokeInstruction call -> checkCall(at, call, owners, callees, problems);
                default -> {
                }
            }
            beforePrevious = previous;
            previous = insn;
            offset += insn.sizeInBytes();
        }
    }

    private static void checkCall(String at, InvokeInstruction call, Set<String> owners, Set<String> callees, List<String> problems) {
        String owner = call.owner().asInternalName();
        String name = call.name().stringValue();
        String simple = owner.substring(owner.lastIndexOf('/') + 1);
        switch (call.opcode()) {
            case INVOKESTATIC -> {
                if (owner.equals("java/lang/Float") && BIT_CASTS.contains(name)) {
                    problems.add(at + "calls Float." + name + " (rejected by the OpenCL backend)");
                } else if (owners.contains(owner)) {
                    callees.add(owner + "." + name);
                    if (call.typeSymbol().parameterList().stream().anyMatch(p -> p.isArray() && p.componentType().isPrimitive())) {
                        problems.add(at + "passes a private or local array to " + simple + "." + name
                                + " (TornadoVM 5.2 loses what the callee writes into it: keep the loops in the kernel)");
                    }
                } else if (!MATHS.contains(owner)) {
                    problems.add(at + "calls " + owner + "." + name + " (only kernel classes, Math and TornadoMath)");
                }
            }
            case INVOKEVIRTUAL, INVOKEINTERFACE -> {
                boolean arrayAccess = owner.startsWith("uk/ac/manchester/tornado/api/types/arrays/") && ARRAYS.contains(simple)
                        && ARRAY_METHODS.contains(name);
                boolean context = owner.equals("uk/ac/manchester/tornado/api/KernelContext");
                boolean unboxId = owner.equals("java/lang/Integer") && name.equals("intValue");
                // TornadoVM compiles HalfFloat's conversions (to vload_half on OpenCL, cvt on PTX).
                boolean half = owner.equals("uk/ac/manchester/tornado/api/types/HalfFloat") && (name.equals("getFloat32") || name.equals("getHalfFloatValue"));
                if (!arrayAccess && !context && !unboxId && !half) {
                    problems.add(at + "virtual call " + owner + "." + name);
                }
            }
            default -> problems.add(at + "calls " + owner + "." + name + " with " + call.opcode());
        }
    }

    private static void collectParallel(RuntimeVisibleTypeAnnotationsAttribute attribute, Set<Label> starts, Map<Label, Integer> slots) {
        for (TypeAnnotation ta : attribute.annotations()) {
            if (!ta.annotation().className().stringValue().equals(PARALLEL)) {
                continue;
            }
            if (ta.targetInfo() instanceof TypeAnnotation.LocalVarTarget local) {
                for (TypeAnnotation.LocalVarTargetInfo info : local.table()) {
                    starts.add(info.startLabel());
                    slots.put(info.startLabel(), info.index());
                }
            }
        }
    }

    private static void findCycles(Map<String, Set<String>> calls, List<String> problems) {
        for (String start : calls.keySet()) {
            Set<String> seen = new HashSet<>();
            List<String> stack = new ArrayList<>(calls.getOrDefault(start, Set.of()));
            while (!stack.isEmpty()) {
                String m = stack.remove(stack.size() - 1);
                if (m.equals(start)) {
                    problems.add(start.substring(start.lastIndexOf('/') + 1) + ": recursion (TornadoVM cannot compile recursive kernels)");
                    break;
                }
                if (seen.add(m)) {
                    stack.addAll(calls.getOrDefault(m, Set.of()));
                }
            }
        }
    }

    private static ClassModel parse(Class<?> c) {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            if (in == null) {
                throw new IllegalStateException("no class file for " + c.getName());
            }
            return ClassFile.of().parse(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String internal(Class<?> c) {
        return c.getName().replace('.', '/');
    }
}
