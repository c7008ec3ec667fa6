package dev.windowkv.plots;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Cell formatting shared by the summary tables: CSV quoting, Markdown escaping, locale-free numbers. */
final class Tables {

    private Tables() {
    }

    /** Empty for NaN, so a missing value is an empty CSV field rather than the text "NaN". */
    static String num(double v, String format) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v);
    }

    static String csv(String s) {
        if (s == null) {
            return "";
        }
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    static String md(String s) {
        return s == null || s.isEmpty() ? "–" : s.replace("|", "\\|");
    }

    static Path write(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
