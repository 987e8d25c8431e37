package dev.locald.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RedactorTest {
    @Test
    void replacesSecretsTheirBase64AndBasicAuthBlobs() {
        Redactor r = new Redactor();
        r.addBasicAuth("user", "pa55word");
        r.addSecret("tok-123");
        String basic = Base64.getEncoder().encodeToString("user:pa55word".getBytes(StandardCharsets.UTF_8));
        String b64 = Base64.getEncoder().encodeToString("tok-123".getBytes(StandardCharsets.UTF_8));
        assertEquals("p=*** a=Basic *** t=*** b=***", r.redact("p=pa55word a=Basic " + basic + " t=tok-123 b=" + b64));
    }

    @Test
    void longerSecretsWinOverTheirPrefixes() {
        Redactor r = new Redactor();
        r.addSecret("abc");
        r.addSecret("abcdef");
        assertEquals("*** ***", r.redact("abcdef abc"));
    }

    @Test
    void emptyAndNullSecretsAreIgnored() {
        Redactor r = new Redactor();
        r.addSecret("");
        r.addSecret(null);
        assertEquals("nothing hidden", r.redact("nothing hidden"));
    }
}
