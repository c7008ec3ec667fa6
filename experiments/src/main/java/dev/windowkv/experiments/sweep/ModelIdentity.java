package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;

/**
 * What a result row says about its model: the file's size and a SHA-256 of its content, so a row
 * made with one file is never taken for a row of another file at the same path. Hashing an 8 GB
 * model takes a while, so the hash is cached per machine, keyed by the file's absolute path, size and
 * modification time: a rewritten file is hashed again.
 */
public final class ModelIdentity {
    private ModelIdentity() {}

    /** {@code <size>:sha256:<hex>} of the file. */
    public static String of(Path model) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(model, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new ModelNotFoundError("model file not found: " + model + " (check the path in 'models')");
        }
        if (!attrs.isRegularFile()) throw new UserError("model " + model + " is not a regular file (a GGUF file is needed)");
        String key = model.toAbsolutePath().normalize() + "|" + attrs.size() + "|" + attrs.lastModifiedTime().toMillis();
        Path cache = cacheFile();
        Properties known = load(cache);
        String hash = known.getProperty(key);
        if (hash == null) {
            hash = sha256(model);
            known.setProperty(key, hash);
            store(cache, known);
        }
        return attrs.size() + ":sha256:" + hash;
    }

    static Path cacheFile() {
        String dir = System.getenv("WINDOWKV_CACHE");
        Path base = dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "windowkv");
        return base.resolve("model-hashes.properties");
    }

    private static String sha256(Path model) {
        try (FileChannel ch = FileChannel.open(model, StandardOpenOption.READ)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf) >= 0) {
                buf.flip();
                sha.update(buf);
                buf.clear();
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + model, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static Properties load(Path cache) {
        Properties p = new Properties();
        if (Files.isRegularFile(cache)) {
            try (InputStream in = Files.newInputStream(cache)) {
                p.load(in);
            } catch (IOException | IllegalArgumentException e) {
                // A damaged cache only costs a re-hash.
                p.clear();
            }
        }
        return p;
    }

    /** Written whole and moved into place, so a concurrent reader never sees half a file. */
    private static void store(Path cache, Properties p) {
        try {
            Files.createDirectories(cache.getParent());
            Path tmp = Files.createTempFile(cache.getParent(), "model-hashes", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "windowkv: SHA-256 of model files, keyed by path|size|mtime");
            }
            Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // No writable cache: hash again next time rather than fail the sweep.
        }
    }
}
