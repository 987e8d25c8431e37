package dev.locald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "1048576, 1048576",
        "512B, 512",
        "4G, 4294967296",
        "4g, 4294967296",
        "4GB, 4294967296",
        "4GiB, 4294967296",
        "4Gi, 4294967296",
        "512M, 536870912",
        "256MiB, 268435456",
        "'256 MiB', 268435456",
        "64k, 65536",
        "1T, 1099511627776",
        "1.5G, 1610612736",
        "' 20G ', 21474836480"
    })
    void parsesBytesAndPowersOf1024(String text, long bytes) {
        assertEquals(bytes, ByteSize.parse(text).bytes());
        assertEquals(bytes, ByteSize.valueOf(text).bytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "G", "-1", "4X", "4 GG", "1e9", "4G5", "0x10", "99999999999T", "1.5.5M"})
    void refusesWhatIsNotASize(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void printsTheLargestExactUnitAndParsesItBack() {
        assertEquals("256 MiB", ByteSize.parse("256M").toString());
        assertEquals("4 GiB", ByteSize.parse("4096M").toString());
        assertEquals("1536 MiB", ByteSize.parse("1.5G").toString());
        assertEquals("1000 B", ByteSize.parse("1000").toString());
        assertEquals("0 B", new ByteSize(0).toString());
        for (String text : new String[] {"1000", "1.5G", "3T", "7K", "1025"}) {
            ByteSize size = ByteSize.parse(text);
            assertEquals(size, ByteSize.parse(size.toString()));
        }
    }

    @Test
    void isAJsonString() throws Exception {
        ObjectMapper json = Json.RECORDS;
        assertEquals("\"64 MiB\"", json.writeValueAsString(ByteSize.parse("64M")));
        assertEquals(ByteSize.parse("64M"), json.readValue("\"64 MiB\"", ByteSize.class));
    }
}
