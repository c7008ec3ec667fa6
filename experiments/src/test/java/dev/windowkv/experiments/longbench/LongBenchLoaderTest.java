package dev.windowkv.experiments.longbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LongBenchLoaderTest {
    private static final String NARRATIVEQA = """
            {"input": "Who wrote the letter?", "context": "Mary wrote a letter to John.", "answers": ["Mary"], "length": 6, "dataset": "narrativeqa", "language": "en", "all_classes": null, "_id": "nqa-0"}
            {"input": "To whom?", "context": "Mary wrote a letter to John.", "answers": ["John", "to John"], "length": 6, "dataset": "narrativeqa", "language": "en", "all_classes": null, "_id": "nqa-1"}
            """;
    private static final String TREC = """
            {"input": "What city is the Eiffel Tower in?", "context": "Question: Who is Bach?\\nType: Human\\n", "answers": ["City"], "length": 9, "dataset": "trec", "language": "en", "all_classes": ["Human", "City"], "_id": "trec-0"}
            """;

    @TempDir
    Path dir;

    @Test
    void readsEveryFieldOfASample() throws IOException {
        Path file = Files.writeString(dir.resolve("narrativeqa.jsonl"), NARRATIVEQA);
        List<LongBenchSample> samples = LongBenchLoader.loadFile(file);
        assertEquals(2, samples.size());
        LongBenchSample second = samples.get(1);
        assertEquals("To whom?", second.input());
        assertEquals("Mary wrote a letter to John.", second.context());
        assertEquals(List.of("John", "to John"), second.answers());
        assertEquals(List.of(), second.allClasses(), "LongBench writes all_classes: null outside trec/lsht");
        assertEquals(6, second.length());
        assertEquals("narrativeqa", second.dataset());
        assertEquals("nqa-1", second.id());
        assertEquals("en", second.language());
    }

    @Test
    void readsAFolderByDatasetName() throws IOException {
        Files.writeString(dir.resolve("narrativeqa.jsonl"), NARRATIVEQA);
        Files.writeString(dir.resolve("trec.jsonl"), TREC);
        Files.writeString(dir.resolve("README.md"), "not data");

        Map<String, List<LongBenchSample>> all = LongBenchLoader.loadFolder(dir);
        assertEquals(List.of("narrativeqa", "trec"), List.copyOf(all.keySet()));
        assertEquals(List.of("Human", "City"), all.get("trec").get(0).allClasses());

        Map<String, List<LongBenchSample>> onlyTrec = LongBenchLoader.loadFolder(dir, List.of("trec"));
        assertEquals(List.of("trec"), List.copyOf(onlyTrec.keySet()));
    }

    @Test
    void takesTheDatasetFromTheFileNameWhenTheFieldIsMissing() throws IOException {
        Path file = Files.writeString(dir.resolve("qasper.jsonl"), """
                {"input": "q", "context": "c", "answers": ["a"]}
                """);
        assertEquals("qasper", LongBenchLoader.loadFile(file).get(0).dataset());
    }

    @Test
    void anEmptyFileIsAOneLineUserErrorNamingTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("hotpotqa.jsonl"), "\n");
        LongBenchFileError e = assertThrows(LongBenchFileError.class, () -> LongBenchLoader.loadFile(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void aMalformedLineIsAOneLineUserErrorNamingFileAndLine() throws IOException {
        Path file = Files.writeString(dir.resolve("musique.jsonl"), """
                {"input": "q", "context": "c", "answers": ["a"]}
                {"input": "q", "context": "c", "answers": [
                """);
        LongBenchFileError e = assertThrows(LongBenchFileError.class, () -> LongBenchLoader.loadFile(file));
        assertTrue(e.getMessage().contains(file + " line 2"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void aSampleWithoutAnswersIsRejected() throws IOException {
        Path file = Files.writeString(dir.resolve("musique.jsonl"), """
                {"input": "q", "context": "c"}
                """);
        LongBenchFileError e = assertThrows(LongBenchFileError.class, () -> LongBenchLoader.loadFile(file));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("answers"), e.getMessage());
    }

    @Test
    void aMissingDatasetFileIsNamed() {
        LongBenchFileError e = assertThrows(LongBenchFileError.class,
                () -> LongBenchLoader.loadFolder(dir, List.of("gov_report")));
        assertTrue(e.getMessage().contains("gov_report.jsonl"), e.getMessage());
    }
}
