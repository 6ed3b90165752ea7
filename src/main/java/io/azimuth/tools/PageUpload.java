package io.azimuth.tools;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A page blob written with Azure Storage's REST calls, which the emulator's blob endpoints, Azurite and Azure all
 * take: Put Blob ({@code x-ms-blob-type: PageBlob}, {@code x-ms-blob-content-length}) creates it all zeros, then Put
 * Page ({@code ?comp=page}, {@code x-ms-page-write: update}, {@code x-ms-range}) writes each run of data, a few at a
 * time. A refused call stops the upload with the service's answer; a 429, 500 or 503 is tried again, up to three
 * times, after its Retry-After.
 */
final class PageUpload {
    private static final String VERSION = "2021-08-06";
    private static final DateTimeFormatter RFC1123 = DateTimeFormatter.RFC_1123_DATE_TIME;

    record Result(long dataBytes, int writes, long nanos) {
    }

    private final URI blob;
    private final HttpClient client;
    private final int parallel;

    PageUpload(URI blob, Path trust, int parallel) throws Exception {
        String scheme = blob.getScheme() == null ? "" : blob.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("the blob URI must be http or https: " + blob);
        }
        boolean emulator = blob.getRawPath() != null && blob.getRawPath().startsWith("/_azimuth/blobs/");
        String query = blob.getRawQuery();
        if (!emulator && (query == null || !query.contains("sig="))) {
            throw new IllegalArgumentException("a storage account's blob URL needs a SAS granting create and write "
                    + "(...?sv=...&sig=...); the emulator's own blob endpoints are under /_azimuth/blobs/");
        }
        this.blob = blob;
        this.parallel = parallel;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30));
        if (trust != null) {
            b.sslContext(trusting(Files.readAllBytes(trust)));
        }
        this.client = b.build();
    }

    private static SSLContext trusting(byte[] pem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int n = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
            ks.setCertificateEntry("trusted-" + n++, c);
        }
        if (n == 0) {
            throw new IllegalArgumentException("--trust holds no certificate");
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).header("x-ms-version", VERSION)
                .header("x-ms-date", RFC1123.format(ZonedDateTime.now(ZoneOffset.UTC)));
    }

    Result send(PageSource source, Progress progress) throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> created = call(request(blob).header("x-ms-blob-type", "PageBlob")
                .header("x-ms-blob-content-length", String.valueOf(source.blobSize()))
                .PUT(HttpRequest.BodyPublishers.noBody()));
        if (created.statusCode() != 201) {
            throw new IOException("creating the page blob was answered " + created.statusCode() + ": "
                    + brief(created.body()));
        }
        URI pages = URI.create(blob + (blob.getRawQuery() == null ? "?" : "&") + "comp=page");
        Semaphore slots = new Semaphore(parallel);
        java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "vhd-upload");
            t.setDaemon(true);
            return t;
        });
        AtomicReference<Exception> failed = new AtomicReference<>();
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        int[] writes = {0};
        long data = source.ranges(new PageSource.Sink() {
            @Override
            public void range(long offset, byte[] bytes) throws IOException, InterruptedException {
                if (failed.get() != null) {
                    throw new IOException(failed.get().getMessage(), failed.get());
                }
                slots.acquire();
                writes[0]++;
                HttpRequest.Builder put = request(pages).header("x-ms-page-write", "update")
                        .header("x-ms-range", "bytes=" + offset + "-" + (offset + bytes.length - 1))
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
                CompletableFuture<?> f = CompletableFuture.runAsync(() -> {
                    try {
                        HttpResponse<String> r = call(put);
                        if (r.statusCode() != 201) {
                            failed.compareAndSet(null, new IOException("the page write at " + offset + " was answered "
                                    + r.statusCode() + ": " + brief(r.body())));
                        } else {
                            progress.sent(bytes.length);
                        }
                    } catch (Exception e) {
                        failed.compareAndSet(null, e);
                    } finally {
                        slots.release();
                    }
                }, writers);
                inFlight.add(f);
                inFlight.removeIf(CompletableFuture::isDone);
            }

            @Override
            public void scanned(long offset) {
                progress.scanned(offset);
            }
        });
        try {
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        } finally {
            writers.shutdown();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
        return new Result(data, writes[0], System.nanoTime() - started);
    }

    /** One call, tried again (at most three times more) when answered 429, 500 or 503. */
    private HttpResponse<String> call(HttpRequest.Builder request) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            int s = r.statusCode();
            if ((s != 429 && s != 500 && s != 503) || attempt == 4) {
                return r;
            }
            long wait = r.headers().firstValue("Retry-After").map(v -> {
                try {
                    return Long.parseLong(v.trim()) * 1000;
                } catch (NumberFormatException e) {
                    return 1000L;
                }
            }).orElse(500L * attempt);
            Thread.sleep(Math.min(wait, 30_000));
        }
    }

    private static String brief(String body) {
        String b = body == null ? "" : body.strip();
        return b.length() > 400 ? b.substring(0, 400) + "..." : b;
    }
}
