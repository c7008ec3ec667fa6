package dev.windowkv.kernels;

import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.reflect.AccessFlag;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads compiled kernel classes and lists what TornadoVM's JIT cannot compile: allocation, virtual
 * or interface calls, exceptions, recursion, I/O, static field writes, objects, float/int bit
 * reinterpretation, and a missing LocalVariableTable (TornadoVM needs {@code -g}). A violation names class, method and instruction.
 */
final class KernelSubset {

    /**
     * Bit reinterpretation: plain Java has it, but TornadoVM 5.2.0's OpenCL backend does not
     * ({@code OCLArithmeticTool.emitReinterpret} is unimplemented), so a kernel using it cannot run there.
     */
    static final Set<String> BIT_CASTS = Set.of(
            "java/lang/Float.intBitsToFloat(I)F",
            "java/lang/Float.floatToRawIntBits(F)I",
            "java/lang/Float.floatToIntBits(F)I");
    /**
     * Loads of 8- and 16-bit array elements. TornadoVM 5.2.0's OpenCL backend lowers them without
     * the sign extension to int ({@code OCLLoweringProvider.lowerLoadIndexedNode} replaces the load
     * by a narrow read), so integer arithmetic on the element runs in a {@code char}/{@code short}
     * and gives wrong results; only a conversion to float ({@code I2F}) right after the load
     * compiles right. {@code Bytes.u8} widens a byte that way.
     */
    static final Set<Opcode> NARROW_LOADS = Set.of(Opcode.BALOAD, Opcode.SALOAD, Opcode.CALOAD);
    /** The only static calls a kernel may make outside its own package, and only inside KMath. */
    static final Set<String> MATH_INTRINSICS = Set.of(
            "java/lang/Math.exp(D)D", "java/lang/Math.sqrt(D)D", "java/lang/Math.cos(D)D",
            "java/lang/Math.sin(D)D", "java/lang/Math.pow(DD)D", "java/lang/Math.log(D)D",
            "java/lang/Math.max(FF)F", "java/lang/Math.min(FF)F", "java/lang/Math.max(II)I",
            "java/lang/Math.min(II)I", "java/lang/Math.abs(F)F");
    static final String KMATH = "dev/windowkv/kernels/KMath";
    static final List<String> FORBIDDEN_REFERENCES = List.of("java/io/", "java/nio/", "java/lang/System");

    private final String kernelPackage;
    private final List<String> violations = new ArrayList<>();
    private final Map<String, Set<String>> calls = new LinkedHashMap<>();

    /** @param kernelPackage internal name prefix of the kernel classes, e.g. {@code dev/windowkv/kernels/} */
    KernelSubset(String kernelPackage) {
        this.kernelPackage = kernelPackage;
    }

    void check(byte[] classBytes) {
        ClassModel cm = ClassFile.of().parse(classBytes);
        String owner = cm.thisClass().asInternalName();
        for (PoolEntry e : cm.constantPool()) {
            if (e instanceof Utf8Entry u) {
                for (String bad : FORBIDDEN_REFERENCES) {
                    if (u.stringValue().contains(bad)) {
                        violations.add(owner + ": references " + u.stringValue());
                    }
                }
            }
        }
        for (MethodModel m : cm.methods()) {
            checkMethod(owner, m);
        }
    }

    private void checkMethod(String owner, MethodModel m) {
        String name = m.methodName().stringValue();
        String desc = m.methodType().stringValue();
        String where = owner + "." + name + desc;
        boolean constructor = name.equals("<init>");
        if (!constructor && !m.flags().has(AccessFlag.STATIC)) {
            violations.add(where + ": not static");
        }
        if (!constructor && !primitiveOnly(desc)) {
            violations.add(where + ": takes or returns an object (only primitives and primitive arrays)");
        }
        CodeModel code = m.code().orElse(null);
        if (code == null) {
            return;
        }
        // javac writes no table for a method without locals; anything with a local needs one.
        boolean hasLocals = code instanceof CodeAttribute ca && ca.maxLocals() > 0;
        if (hasLocals && code.findAttribute(Attributes.localVariableTable()).isEmpty()) {
            violations.add(where + ": no LocalVariableTable (compile with -g)");
        }
        Set<String> callees = calls.computeIfAbsent(where, k -> new HashSet<>());
        Opcode previous = null;
        for (CodeElement e : code) {
            if (e instanceof ExceptionCatch) {
                violations.add(where + ": try/catch");
            } else if (e instanceof Instruction i) {
                String problem = constructor ? checkConstructor(i) : checkInstruction(owner, i, callees);
                if (problem != null) {
                    violations.add(where + ": " + problem);
                }
                if (previous != null && NARROW_LOADS.contains(previous) && i.opcode() != Opcode.I2F) {
                    violations.add(where + ": narrow array element used as an integer (" + previous + " then "
                            + i.opcode() + "; read bytes through Bytes.u8)");
                }
                previous = i.opcode();
            }
        }
    }

    /** A private constructor is tolerated (it keeps the class from being instantiated) if it only calls Object's. */
    private static String checkConstructor(Instruction i) {
        if (i instanceof InvokeInstruction inv && inv.opcode() == Opcode.INVOKESPECIAL
                && inv.owner().asInternalName().equals("java/lang/Object") && inv.name().stringValue().equals("<init>")) {
            return null;
        }
        return switch (i.opcode()) {
            case ALOAD_0, RETURN -> null;
            default -> "constructor does more than call Object(): " + i.opcode();
        };
    }

    private String checkInstruction(String owner, Instruction i, Set<String> callees) {
        Opcode op = i.opcode();
        switch (op) {
            case NEW, NEWARRAY, ANEWARRAY, MULTIANEWARRAY:
                return "allocation (" + op + ")";
            case INVOKEVIRTUAL, INVOKEINTERFACE, INVOKESPECIAL:
                return "virtual call (" + op + " " + target((InvokeInstruction) i) + ")";
            case INVOKEDYNAMIC:
                return "invokedynamic (lambda or string concatenation)";
            case ATHROW:
                return "throws (ATHROW)";
            case CHECKCAST, INSTANCEOF:
                return "type test (" + op + ")";
            case MONITORENTER, MONITOREXIT:
                return "synchronization (" + op + ")";
            case PUTSTATIC:
                return "static field write (PUTSTATIC " + field((FieldInstruction) i) + ")";
            case GETFIELD, PUTFIELD:
                return "object field access (" + op + " " + field((FieldInstruction) i) + ")";
            case GETSTATIC: {
                FieldInstruction f = (FieldInstruction) i;
                String type = f.typeSymbol().descriptorString();
                if (type.length() != 1 || !f.owner().asInternalName().startsWith(kernelPackage)) {
                    return "reads a non-primitive or foreign static field (GETSTATIC " + field(f) + ")";
                }
                return null;
            }
            case INVOKESTATIC: {
                InvokeInstruction inv = (InvokeInstruction) i;
                String callee = target(inv);
                if (inv.owner().asInternalName().startsWith(kernelPackage)) {
                    callees.add(callee);
                    return null;
                }
                if (BIT_CASTS.contains(callee)) {
                    return "bit reinterpretation (" + callee + ")";
                }
                if (MATH_INTRINSICS.contains(callee)) {
                    return owner.equals(KMATH) ? null : "calls " + callee + " directly (go through KMath)";
                }
                return "static call outside the kernels (" + callee + ")";
            }
            default:
                break;
        }
        if (i instanceof ConstantInstruction.LoadConstantInstruction ldc
                && !(ldc.constantEntry().constantValue() instanceof Number)) {
            return "loads a non-numeric constant (" + ldc.constantEntry() + ")";
        }
        return null;
    }

    /** Violations found so far, plus one per cycle in the static call graph of the checked kernels. */
    List<String> violations() {
        List<String> all = new ArrayList<>(violations);
        all.addAll(recursion());
        return all;
    }

    private List<String> recursion() {
        List<String> found = new ArrayList<>();
        Map<String, Integer> state = new HashMap<>(); // absent: unseen, 1: on the current path, 2: done
        for (String root : calls.keySet()) {
            if (state.containsKey(root)) {
                continue;
            }
            // Iterative depth-first search; a callee on the current path closes a cycle.
            Deque<String> path = new ArrayDeque<>();
            Deque<List<String>> pending = new ArrayDeque<>();
            path.push(root);
            pending.push(new ArrayList<>(calls.getOrDefault(root, Set.of())));
            state.put(root, 1);
            while (!path.isEmpty()) {
                List<String> next = pending.peek();
                if (next.isEmpty()) {
                    state.put(path.pop(), 2);
                    pending.pop();
                    continue;
                }
                String callee = next.removeLast();
                Integer s = state.get(callee);
                if (s == null) {
                    path.push(callee);
                    pending.push(new ArrayList<>(calls.getOrDefault(callee, Set.of())));
                    state.put(callee, 1);
                } else if (s == 1) {
                    found.add(path.peek() + ": recursion (calls " + callee + ", which is on its own call path)");
                }
            }
        }
        return found;
    }

    private static String target(InvokeInstruction inv) {
        return inv.owner().asInternalName() + "." + inv.name().stringValue() + inv.type().stringValue();
    }

    private static String field(FieldInstruction f) {
        return f.owner().asInternalName() + "." + f.name().stringValue();
    }

    /** True when every parameter and the return type is a primitive, a one-dimensional primitive array or void. */
    static boolean primitiveOnly(String methodDescriptor) {
        String params = methodDescriptor.substring(1, methodDescriptor.indexOf(')'));
        String ret = methodDescriptor.substring(methodDescriptor.indexOf(')') + 1);
        return params.matches("(\\[?[ZBCSIJFD])*") && ret.matches("V|\\[?[ZBCSIJFD]");
    }
}
