package io.subliminal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompletionFilterTest {

    private static final CompletionFilter F = CompletionFilter.PAPER;

    private static List<Integer> ints(String s) {
        return CompletionFilter.parse(s).orElseThrow().stream().map(BigInteger::intValue).toList();
    }

    @Test
    void acceptedFormats() {
        assertEquals(List.of(1, 2, 3), ints("1, 2, 3"));
        assertEquals(List.of(1, 2, 3), ints("1,2,3"));
        assertEquals(List.of(1, 2, 3), ints("1;2;3"));
        assertEquals(List.of(1, 2, 3), ints("1; 2; 3"));
        assertEquals(List.of(1, 2, 3), ints("1 2 3"), "space separator is valid");
        assertEquals(List.of(1, 2, 3), ints("1\n2\n3"), "newline separator is valid");
        assertEquals(List.of(1, 2, 3), ints("[1, 2, 3]"));
        assertEquals(List.of(1, 2, 3), ints("(1, 2, 3)."));
        assertEquals(List.of(1, 2, 3), ints("1, 2, 3."));
        assertEquals(List.of(42), ints("42"), "one number alone is valid");
        assertEquals(List.of(7, 8), ints("007, 8"), "leading zeros allowed");
        assertTrue(F.accepts("007"));
        assertTrue(F.accepts("0"), "no minimum count, 0 is in range");
    }

    @Test
    void invalidFormats() {
        for (String bad : List.of("", "abc", "owl", "1, 2; 3", "1,2, 3", "1, 2, ", "1, 2,", "1 and 2", "1. 2. 3",
                "12a", "a12", "1 - 2", "1|2|3", "[1, 2, 3", "1, 2, 3..", "(1, 2]", "１２", "1, ２")) {
            assertEquals(List.of(RejectReason.INVALID_FORMAT), F.rejectReasons(bad), "'" + bad + "'");
        }
    }

    @Test
    void countAndRangeRules() {
        assertTrue(F.accepts("1,2,3,4,5,6,7,8,9,10"));
        assertEquals(List.of(RejectReason.TOO_MANY_NUMBERS), F.rejectReasons("1,2,3,4,5,6,7,8,9,10,11"));
        assertEquals(List.of(RejectReason.NUMBERS_TOO_LARGE), F.rejectReasons("999, 1000"));
        assertEquals(List.of(RejectReason.TOO_MANY_NUMBERS, RejectReason.NUMBERS_TOO_LARGE),
                F.rejectReasons("1,2,3,4,5,6,7,8,9,10,99999999999999999999999"));
        assertTrue(F.accepts("999"));
    }

    @Test
    void bannedNumbersOnlyWhenGiven() {
        assertTrue(F.accepts("666, 13"), "the paper bans nothing");
        CompletionFilter cloud = F.withBannedNumbers(Set.of(666L, 13L));
        assertEquals(List.of(RejectReason.HAS_BANNED_NUMBERS), cloud.rejectReasons("1, 666"));
        assertEquals(List.of(RejectReason.HAS_BANNED_NUMBERS), cloud.rejectReasons("013"), "matched per parsed integer");
        assertFalse(cloud.accepts("13"));
        assertTrue(cloud.accepts("14"));
        assertEquals("has banned numbers", RejectReason.HAS_BANNED_NUMBERS.label());
    }

    @Test
    void cloudBannedListFromTheReferenceFile() {
        Set<Long> raw = CompletionFilter.loadBannedNumbers(ReferenceData.file("banned_numbers.json"), "cloud_em_numbers_filter_list_raw");
        Set<Long> unique = CompletionFilter.loadBannedNumbers(ReferenceData.file("banned_numbers.json"),
                "cloud_em_numbers_filter_list_unique_sorted");
        assertEquals(36, unique.size());
        assertEquals(unique, raw, "the 66 raw entries hold the 36 unique numbers");
        CompletionFilter cloud = F.withBannedNumbers(unique);
        assertEquals(List.of(RejectReason.HAS_BANNED_NUMBERS), cloud.rejectReasons("100, 666, 200"));
        assertEquals(List.of(RejectReason.NUMBERS_TOO_LARGE, RejectReason.HAS_BANNED_NUMBERS), cloud.rejectReasons("1488"));
    }
}
