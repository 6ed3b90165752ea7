package io.azimuth.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;

/**
 * The RSA key this instance signs its tokens with. Kept in the data directory (readable by its owner only) so that
 * tokens stay valid across restarts; in memory, one per process. Made on first use, not at start-up: generating
 * a 2048-bit key costs more than the rest of a start.
 */
public final class SigningKey {
    static final String FILE_NAME = "token-signing-key.jwk";
    private final Path file;
    private volatile RSAKey key;

    private SigningKey(Path file) {
        this.file = file;
    }

    /** A key kept in {@code dataDir}, read when it exists there. */
    public static SigningKey inDirectory(Path dataDir) {
        return new SigningKey(dataDir.resolve(FILE_NAME));
    }

    /** A key of this process only. */
    public static SigningKey inMemory() {
        return new SigningKey(null);
    }

    /** The private key (its id is its JWK thumbprint). */
    public RSAKey key() {
        RSAKey k = key;
        if (k == null) {
            synchronized (this) {
                k = key;
                if (k == null) {
                    k = file != null && Files.exists(file) ? read(file) : generate();
                    key = k;
                }
            }
        }
        return k;
    }

    /** The public half, as the JWKS document {@code discovery/keys} serves. */
    public String publicJwks() {
        return new JWKSet(key().toPublicJWK()).toString(true);
    }

    private static RSAKey read(Path file) {
        try {
            return RSAKey.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token signing key " + file, e);
        } catch (ParseException e) {
            throw new IllegalStateException("the token signing key " + file + " is not an RSA JWK: " + e.getMessage(), e);
        }
    }

    private RSAKey generate() {
        RSAKey k;
        try {
            RSAKey plain = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
            k = new RSAKey.Builder(plain).keyIDFromThumbprint().build();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a token signing key", e);
        }
        if (file != null) {
            write(k);
        }
        return k;
    }

    private void write(RSAKey k) {
        try {
            DataFiles.replace(file, k.toJSONString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the token signing key " + file, e);
        }
    }
}
