package dev.windowkv.engine.kvcache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A policy from a separate jar, as a researcher would ship it: the README's example compiled at
 * test time against the engine's classes, jarred with its services file, and loaded through a
 * class loader of its own; {@link Policies} then creates it by name, options and all.
 */
class PluginPolicyTest {
    /** The README's example (keep the two in step). */
    static final String SOURCE = """
            package org.example;

            import dev.windowkv.engine.kvcache.*;

            /** Keeps every stride-th prompt token plus the last few, in every layer and KV head. */
            public record StridePolicy(int budget, int stride) implements KvPolicy {
                public String name() { return "stride"; }

                public Compressor start(int nLayers, int nHeads, int nKvHeads, int headDim, int n, TaskType hint) {
                    return new Compressor() {
                        public int capacity(int layer) { return Math.min(n, budget); }

                        public KeptTokens select(PrefillLayer layer) {
                            if (n <= budget) return KeptTokens.all(n);
                            int[] kept = new int[budget];
                            int strided = Math.min(budget / 2, (n + stride - 1) / stride);
                            for (int i = 0; i < strided; i++) kept[i] = i * stride;
                            for (int i = strided; i < budget; i++) kept[i] = n - (budget - i);
                            return KeptTokens.shared(n, kept, layer.nKvHeads());
                        }
                    };
                }

                /** Listed in META-INF/services/dev.windowkv.engine.kvcache.KvPolicyProvider. */
                public static final class Provider implements KvPolicyProvider {
                    public String name() { return "stride"; }

                    public KvPolicy create(PolicyOptions o) {
                        return new StridePolicy(o.integer("budget", 2048, 2), o.integer("stride", 4, 1));
                    }
                }
            }
            """;

    static Path buildJar(Path dir) throws Exception {
        Path src = dir.resolve("src/org/example/StridePolicy.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String engine = Path.of(KvPolicy.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, OutputStream.nullOutputStream(), err, "-cp", engine, "-d", classes.toString(), src.toString());
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        Path jar = dir.resolve("stride-policy.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + KvPolicyProvider.class.getName()));
            out.write("org.example.StridePolicy$Provider\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void aPolicyInAJarOnTheClassPathIsCreatedByName(@TempDir Path dir) throws Exception {
        Path jar = buildJar(dir);
        assertThrows(UnknownPolicyError.class, () -> Policies.create("stride", Map.of()));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, KvPolicy.class.getClassLoader())) {
            KvPolicy p = Policies.create("Stride", Map.of("budget", "6", "stride", "5"), loader);
            assertEquals("stride", p.name());
            assertEquals("org.example.StridePolicy", p.getClass().getName());
            KeptTokens kept = p.start(1, 1, 1, 1, 20, null).select(TestBackends.layer(0, 1, 1, TestBackends.ones(20), new float[20]));
            assertArrayEquals(new int[] {0, 5, 10, 17, 18, 19}, kept.indices(0));
            // Plug-ins get the engine's option handling: unknown options and ratio= included.
            assertThrows(PolicyOptionError.class, () -> Policies.create("stride", Map.of("strides", "5"), loader));
            assertEquals(10, ((RatioBudget) Policies.create("stride", Map.of("ratio", "0.5"), loader)).budget(20));

            // The default lookup uses the context class loader, as the CLI does with its class path.
            Thread t = Thread.currentThread();
            ClassLoader before = t.getContextClassLoader();
            t.setContextClassLoader(loader);
            try {
                assertTrue(Policies.names().contains("stride"));
                assertEquals("stride", Policies.create("stride", Map.of()).name());
            } finally {
                t.setContextClassLoader(before);
            }
        }
    }
}
