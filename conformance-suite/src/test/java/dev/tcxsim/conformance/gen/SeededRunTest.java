package dev.tcxsim.conformance.gen;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeededRunTest {
    private static List<Integer> draw(SplittableRandom r) {
        List<Integer> steps = new ArrayList<>();
        int n = 20 + r.nextInt(30);
        for (int i = 0; i < n; i++) {
            steps.add(r.nextInt(10));
        }
        return steps;
    }

    @Test
    void seedsAreRepeatable() {
        assertArrayEquals(SeededRun.seeds(42, 5), SeededRun.seeds(42, 5));
        assertEquals(5, SeededRun.seeds(42, 5).length);
    }

    @Test
    void aFailingSequenceShrinksToItsMinimalCause() {
        // Property: "never a 7 followed later by a 3". The minimal counterexample is [7, 3].
        SeededRun<Integer> run = new SeededRun<>(SeededRunTest::draw, steps -> {
            boolean seen7 = false;
            for (int s : steps) {
                if (s == 7) {
                    seen7 = true;
                } else if (s == 3 && seen7) {
                    return false;
                }
            }
            return true;
        }, steps -> "a 7 came before a 3");
        SeededRun.Failure failure = assertThrows(SeededRun.Failure.class, () -> run.check(1, 50));
        assertEquals(List.of(7, 3), failure.minimal());
        assertTrue(failure.getMessage().contains("-Dtcxsim.seed=" + failure.seed()), failure.getMessage());
    }

    @Test
    void aHoldingPropertyPasses() {
        new SeededRun<>(SeededRunTest::draw, steps -> steps.stream().allMatch(s -> s < 10), s -> "").check(2, 50);
    }
}
