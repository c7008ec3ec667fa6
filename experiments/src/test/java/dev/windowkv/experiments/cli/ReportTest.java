package dev.windowkv.experiments.cli;

import dev.windowkv.plots.Plots;
import dev.windowkv.plots.SweepRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The files a finished sweep leaves: rows whose tasks are LongBench datasets get the paper's table. */
class ReportTest {

    private static SweepRow row(String model, String task, String type, String policy, String label, Integer budget,
                                double score) {
        return new SweepRow(model, "java", policy, label, null, budget, task, type, 1000, null, 1, 0, score,
                null, 10, 100, 0.1, 0, 0, 0, 0, "", List.of());
    }

    @Test
    void summaryPerTaskAndTheLongBenchTable(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(Plots.SWEEP_CONFIG), "{\"name\": \"lb-demo\"}");
        List<SweepRow> rows = List.of(
                row("llama", "qasper", "QA", "full", "FullKV", null, 0.3),
                row("llama", "trec", "AGGREGATION", "full", "FullKV", null, 0.5),
                row("llama", "trec", "AGGREGATION", "full", "FullKV", null, 0.7),
                row("llama", "qasper", "QA", "windowkv", "WindowKV", 512, 0.2),
                row("llama", "trec", "AGGREGATION", "windowkv", "WindowKV", 512, 0.4),
                row("llama", "niah_single", "QA", "full", "FullKV", null, 1.0)); // synthetic: not LongBench
        Report.write(rows, dir, false, null);

        String md = Files.readString(dir.resolve(Report.SUMMARY_MD));
        assertTrue(md.startsWith("# Summary of sweep lb-demo\n"), md);
        // LongBench's column order: qasper (single-document QA) before trec (few-shot)
        assertTrue(md.contains("| Policy | Budget | qasper | trec | Avg. |\n"), md);
        assertTrue(md.contains("| FullKV | full | 30.00 | 60.00 | 45.00 |\n"), md);
        assertTrue(md.contains("| WindowKV | 512 | 20.00 | 40.00 | 30.00 |\n"), md);
        assertTrue(md.contains("| llama | niah_single | QA | FullKV | full | 1 | 1.000 | – | 10.0 |"), md);

        List<String> longBench = Files.readAllLines(dir.resolve(Report.LONGBENCH_CSV));
        assertEquals(List.of("model,policy,policyLabel,budget,qasper,trec,average",
                "llama,full,FullKV,,30.0000,60.0000,45.0000",
                "llama,windowkv,WindowKV,512,20.0000,40.0000,30.0000"), longBench);
        List<String> perTask = Files.readAllLines(dir.resolve(Report.SUMMARY_CSV));
        assertEquals("model,task,taskType,policy,policyLabel,budget,n,meanScore,stdError,meanKvFraction,meanKvBytes,peakRssBytes",
                perTask.getFirst());
        assertEquals(6, perTask.size(), "header and one row per model x task x policy x budget");
        assertTrue(Files.exists(dir.resolve(Report.BY_TYPE_CSV)));
    }

    @Test
    void noLongBenchRowsNoLongBenchFile(@TempDir Path dir) throws Exception {
        Report.write(List.of(row("m", "cwe", "AGGREGATION", "full", "FullKV", null, 0)), dir, false, null);
        assertFalse(Files.exists(dir.resolve(Report.LONGBENCH_CSV)));
        String md = Files.readString(dir.resolve(Report.SUMMARY_MD));
        assertTrue(md.startsWith("# Summary\n"), "no config.json, no sweep name: " + md);
        assertFalse(md.contains("LongBench"), md);
    }
}
