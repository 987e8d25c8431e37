package dev.locald.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoopbackGuardTest {

    @Test
    void anOpenApiListensOnLoopbackOnly() {
        for (String host : new String[] {"127.0.0.1", "::1", "localhost"}) {
            assertTrue(LoopbackGuard.refusal(host, false).isEmpty(), host);
        }
        for (String host : new String[] {"0.0.0.0", "10.1.2.3"}) {
            assertTrue(LoopbackGuard.refusal(host, false).orElseThrow().contains("locald.auth.tokens-file"), host);
        }
    }

    @Test
    void aTokensFileAllowsAnyHost() {
        assertFalse(LoopbackGuard.refusal("0.0.0.0", true).isPresent());
        assertFalse(LoopbackGuard.refusal("10.1.2.3", true).isPresent());
    }
}
