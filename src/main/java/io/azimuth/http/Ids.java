package io.azimuth.http;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Identifiers minted per request (request ids, correlation ids, operation ids): random version-4 UUIDs from the
 * thread's own generator. They need to be unique, not unguessable, and {@link UUID#randomUUID()} draws on the
 * shared secure generator (a lock and a system call per id), which showed in every request's cost.
 */
public final class Ids {
    private Ids() {
    }

    public static String uuid() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L; // IETF variant
        return new UUID(high, low).toString();
    }
}
