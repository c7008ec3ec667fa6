package dev.windowkv.experiments.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** {@code -V}/{@code --version}: the Maven project's version, written into {@code version.properties} by the build. */
final class Version implements CommandLine.IVersionProvider {
    static String number() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String v = p.getProperty("version", "");
        return v.isEmpty() || v.startsWith("${") ? "unknown (not built by Maven)" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"windowkv " + number()};
    }
}
