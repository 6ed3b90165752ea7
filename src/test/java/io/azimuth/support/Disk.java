package io.azimuth.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What a file really occupies on disk, which Java's file attributes do not tell. */
public final class Disk {
    private Disk() {
    }

    /**
     * Bytes allocated to {@code file}, or to everything in a directory (holes of sparse files not counted), as
     * {@code du -sk} reports them.
     */
    public static long allocatedBytes(Path file) {
        try {
            Process du = new ProcessBuilder("du", "-sk", file.toString()).redirectErrorStream(true).start();
            String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!du.waitFor(10, TimeUnit.SECONDS) || du.exitValue() != 0) {
                throw new IllegalStateException("du failed: " + out);
            }
            return Long.parseLong(out.split("\\s+")[0]) * 1024;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
