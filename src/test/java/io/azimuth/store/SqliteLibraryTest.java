package io.azimuth.store;

import io.azimuth.support.TestServer;
import org.junit.jupiter.api.Test;
import org.sqlite.util.LibraryLoaderUtil;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;

import static org.assertj.core.api.Assertions.assertThat;

class SqliteLibraryTest {

    @Test
    void theLibraryIsCopiedOnceAndACopyOfAnotherSizeIsReplaced() throws Exception {
        Path base = Files.createTempDirectory("azimuth-cache");
        try {
            Path first = SqliteLibrary.cachedCopy(base);
            assertThat(first).isNotNull().startsWith(base);
            assertThat(sha256(Files.readAllBytes(first))).isEqualTo(sha256(jarCopy()));

            FileTime written = FileTime.fromMillis(1_000_000_000_000L);
            Files.setLastModifiedTime(first, written);
            assertThat(SqliteLibrary.cachedCopy(base)).isEqualTo(first);
            assertThat(Files.getLastModifiedTime(first)).as("reused, not written again").isEqualTo(written);

            Files.write(first, new byte[]{1, 2, 3});
            assertThat(SqliteLibrary.cachedCopy(base)).isEqualTo(first);
            assertThat(sha256(Files.readAllBytes(first))).as("a damaged copy is replaced").isEqualTo(sha256(jarCopy()));
            try (var files = Files.list(first.getParent())) {
                assertThat(files.map(p -> p.getFileName().toString())).as("no partial copies left")
                        .containsExactly(first.getFileName().toString());
            }
        } finally {
            TestServer.deleteTree(base);
        }
    }

    @Test
    void anUnwritableCacheDirectoryIsNoCopy() throws Exception {
        Path file = Files.createTempFile("azimuth-cache", ".txt");
        try {
            assertThat(SqliteLibrary.cachedCopy(file.resolve("sub"))).isNull();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static byte[] jarCopy() throws Exception {
        try (InputStream in = SqliteLibrary.class.getResourceAsStream(LibraryLoaderUtil.getNativeLibResourcePath() + "/"
                + LibraryLoaderUtil.getNativeLibName())) {
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
