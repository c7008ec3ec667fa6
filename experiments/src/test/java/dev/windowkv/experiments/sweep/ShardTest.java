package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardTest {
    @Test
    void parsesIOverN() {
        assertEquals(new Shard(2, 8), Shard.parse("2/8"));
        assertEquals(new Shard(1, 1), Shard.parse(" 1 / 1 "));
        assertEquals(Shard.ALL, Shard.parse(null));
        assertEquals(".shard2of8", Shard.parse("2/8").suffix());
        assertEquals("", Shard.ALL.suffix());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0/2", "3/2", "1/0", "-1/2", "2", "1/2/3", "a/b", "", "/", "1/"})
    void rejectsAnythingButIOverNWithIBetween1AndN(String s) {
        UserError e = assertThrows(UserError.class, () -> Shard.parse(s));
        assertTrue(e.getMessage().startsWith("--shard takes i/N"), e.getMessage());
        assertTrue(e.getMessage().contains("'" + s + "'"), "names what it got: " + e.getMessage());
    }

    @Test
    void theShardsOfNOwnEveryCellExactlyOnce() {
        // Cells 0..6 over 3 shards: shard 1 has 0, 3, 6; shard 2 has 1, 4; shard 3 has 2, 5.
        for (int cell = 0; cell < 7; cell++) {
            int owners = 0;
            for (int i = 1; i <= 3; i++) if (new Shard(i, 3).owns(cell)) owners++;
            assertEquals(1, owners, "cell " + cell);
        }
        assertTrue(new Shard(1, 3).owns(6));
        assertTrue(new Shard(2, 3).owns(4));
        assertTrue(new Shard(3, 3).owns(5));
    }
}
