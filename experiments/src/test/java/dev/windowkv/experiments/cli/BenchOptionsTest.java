package dev.windowkv.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `bench`'s new options fail as one line, exit 2, before any model is made or measured. */
class BenchOptionsTest {
    @TempDir
    Path dir;

    private Cli.Outcome bench(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "bench";
        all[1] = "--out";
        all[2] = dir.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return Cli.run(all);
    }

    @Test
    void aMemoryOnlyRunWithoutPromptLengthsIsAOneLineError() {
        Cli.Outcome o = bench("--memory-only", "--memory-prompts", "0");
        assertEquals(2, o.exit());
        assertEquals("windowkv: --memory-only needs --memory-prompts (or --depth) lengths", o.errLines());
    }

    @Test
    void aNonPositiveDepthOrRoundCountIsAOneLineError() {
        Cli.Outcome d = bench("--depth", "2048,0");
        assertEquals(2, d.exit());
        assertEquals("windowkv: --depth must be positive lengths", d.errLines());
        Cli.Outcome r = bench("--rounds", "0");
        assertEquals(2, r.exit());
        assertEquals("windowkv: --rounds must be at least 1 (got 0)", r.errLines());
        Cli.Outcome m = bench("--memory-prompts", "-1");
        assertEquals(2, m.exit());
        assertEquals("windowkv: --memory-prompts must be positive lengths, or 0 for none", m.errLines());
    }

    @Test
    void aPairedDecodeWithoutLlamaCppOrWithANegativeCountIsAOneLineError() {
        Cli.Outcome n = bench("--paired-decode", "-1");
        assertEquals(2, n.exit());
        assertEquals("windowkv: --paired-decode must be 0 or more pairs (got -1)", n.errLines());
        Cli.Outcome l = bench("--paired-decode", "4", "--no-llama");
        assertEquals(2, l.exit());
        assertEquals("windowkv: --paired-decode compares with llama.cpp: drop --no-llama and --memory-only", l.errLines());
    }

    @Test
    void aNegativeBandwidthTraceOrOneThreadIsAOneLineError() {
        Cli.Outcome n = bench("--bandwidth-trace", "-1");
        assertEquals(2, n.exit());
        assertEquals("windowkv: --bandwidth-trace must be seconds, 0 or more (got -1.0)", n.errLines());
        Cli.Outcome t = bench("--bandwidth-trace", "5", "--threads", "1");
        assertEquals(2, t.exit());
        assertEquals("windowkv: --bandwidth-trace compares --threads threads with one: give 2 or more threads", t.errLines());
    }
}
