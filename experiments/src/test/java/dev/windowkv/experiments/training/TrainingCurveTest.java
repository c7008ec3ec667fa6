package dev.windowkv.experiments.training;

import dev.windowkv.experiments.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingCurveTest {
    static final String CSV = """
            step,tokens,wall_s,length,lr,loss,answer_loss,answer_token_acc,heldout_1024,heldout_2048
            10,40960,30,256,0.003000,7.9,7.9,0.05,,
            20,81920,60,256,0.003000,5.1,5.1,0.30,0.0,0.0
            30,122880,90,512,0.003000,2.2,2.2,0.61,,
            30,122880,95,,,,,,0.25,0.0
            """;

    @Test
    void readsTrainingRowsAndCheckpointRows(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("loss.csv"), CSV);
        List<TrainingCurve.Point> points = TrainingCurve.read(csv);
        assertEquals(4, points.size());
        assertEquals(0.08192, points.get(1).millionTokens(), 1e-9);
        assertEquals(2.2, points.get(2).answerLoss());
        assertTrue(Double.isNaN(points.get(3).answerLoss()), "a checkpoint row has no training loss");
        assertEquals(0.25, points.get(3).heldOut1024());
    }

    @Test
    void readsTheCopyAccuracyAndTheShortHeldOutWhereTheRunLoggedThem(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("loss.csv"), """
                step,tokens,wall_s,length,lr,loss,answer_loss,answer_token_acc,heldout_1024,heldout_2048,copy_token_acc,heldout_256
                10,40960,30,256,0.003000,7.9,7.9,0.05,,,0.42,
                20,81920,60,256,0.003000,5.1,5.1,0.30,0.0,0.0,0.97,0.75
                """);
        List<TrainingCurve.Point> points = TrainingCurve.read(csv);
        assertEquals(0.42, points.get(0).copyTokenAccuracy());
        assertTrue(Double.isNaN(points.get(0).heldOut256()), "no held-out score between checkpoints");
        assertEquals(0.75, points.get(1).heldOut256());
        assertTrue(Double.isNaN(TrainingCurve.read(Files.writeString(dir.resolve("old.csv"), CSV)).get(0).copyTokenAccuracy()),
                "a loss.csv from before the copy tasks has no copy accuracy");
    }

    @Test
    void aResumedRunReplacesTheRowsLoggedAfterItsCheckpoint(@TempDir Path dir) throws Exception {
        // Resumed from the checkpoint of step 20: it logs step 30 again, then 40.
        Path csv = Files.writeString(dir.resolve("loss.csv"), CSV + """
                30,122880,230,256,0.003000,2.0,2.0,0.62,,
                40,163840,260,256,0.003000,1.5,1.5,0.70,,
                """);
        List<TrainingCurve.Point> points = TrainingCurve.read(csv);
        assertEquals(List.of(10L, 20L, 30L, 30L, 40L), points.stream().map(TrainingCurve.Point::step).toList());
        assertEquals(0.0, points.get(1).heldOut1024(), "the checkpoint's own row stays");
        assertEquals(0.25, points.get(2).heldOut1024());
        assertEquals(2.0, points.get(3).answerLoss(), "the stopped run's step-30 training row is replaced");
    }

    @Test
    void theCommandDrawsBothFigures(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("loss.csv"), CSV);
        Cli.Outcome o = Cli.run("training-curve", "--loss", csv.toString(), "--out", dir.resolve("fig").toString());
        assertEquals(0, o.exit(), o.errLines());
        for (String f : List.of("training-loss.png", "training-loss.svg", "training-accuracy.png", "training-accuracy.svg")) {
            assertTrue(Files.size(dir.resolve("fig").resolve(f)) > 1000, f);
        }
        assertTrue(Files.readString(dir.resolve("fig/training-accuracy.svg")).contains("held-out 2,048"));
    }

    @Test
    void anInductionWarmUpWithoutAnswersDrawsItsLoss(@TempDir Path dir) throws Exception {
        // train.py logs NumPy's "nan" for the answer columns while every row is a repeated segment.
        Path csv = Files.writeString(dir.resolve("loss.csv"), """
                step,tokens,wall_s,length,lr,loss,answer_loss,answer_token_acc,heldout_1024,heldout_2048,copy_token_acc,heldout_256
                10,20160,3,64,0.003000,8.0,nan,nan,,,0.001,
                20,40320,6,64,0.003000,7.9,nan,nan,0.0,0.0,0.002,0.0
                """);
        List<TrainingCurve.Point> points = TrainingCurve.read(csv);
        assertEquals(7.9, points.get(1).loss());
        assertTrue(Double.isNaN(points.get(0).answerLoss()) && Double.isNaN(points.get(0).answerTokenAccuracy()));
        Cli.Outcome o = Cli.run("training-curve", "--loss", csv.toString(), "--out", dir.resolve("fig").toString());
        assertEquals(0, o.exit(), o.errLines());
        assertTrue(Files.readString(dir.resolve("fig/training-loss.svg")).contains("all weighted tokens"));
    }

    @Test
    void aFieldThatIsNotANumberIsOneLine(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("loss.csv"), CSV.replace("5.1,5.1", "5.1,five"));
        Cli.Outcome o = Cli.run("training-curve", "--loss", csv.toString(), "--out", dir.toString());
        assertEquals(2, o.exit());
        assertTrue(o.errLines().contains("line 3 has a field that is not a number"), o.errLines());
    }

    @Test
    void aFileThatIsNotALossCsvIsOneLine(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("other.csv"), "a,b\n1,2\n");
        Cli.Outcome o = Cli.run("training-curve", "--loss", csv.toString(), "--out", dir.toString());
        assertEquals(2, o.exit());
        assertTrue(o.errLines().contains("not a train.py loss.csv"), o.errLines());
    }
}
