package io.azimuth.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client over a plain socket, for requests {@code java.net.http} refuses to send (duplicate or
 * inconsistent framing headers, raw bytes, bodies cut short): one request per connection, the bytes given sent as
 * they are, the answer read with a socket timeout. Only a prefix of the answer's body is kept.
 */
final class RawHttp {
    static final int BODY_PREFIX = 64 * 1024;

    /** How an exchange ended: an answer, no answer within the timeout, or the connection closed without one. */
    enum Outcome { ANSWERED, TIMEOUT, CLOSED }

    record Answer(Outcome outcome, int status, String head, byte[] body, long millis, String failure) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    return line.substring(prefix.length()).strip();
                }
            }
            return null;
        }

        String describe() {
            return switch (outcome) {
                case ANSWERED -> status < 0 ? "not an HTTP answer: " + Fuzz.prefix(head, 300)
                        : status + " " + Fuzz.prefix(bodyText(), 300);
                case TIMEOUT -> "no answer within the timeout (" + millis + " ms)";
                case CLOSED -> "connection closed without an answer (" + failure + ")";
            };
        }
    }

    private final int port;
    private final int timeoutMillis;

    RawHttp(int port, int timeoutMillis) {
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    int port() {
        return port;
    }

    /**
     * Sends {@code request} (a whole HTTP/1.1 request, framing included) and reads the answer. With
     * {@code halfClose} the sending side is shut once the bytes are written (a body cut short, as a client that
     * went away leaves it).
     */
    Answer exchange(byte[] request, boolean halfClose) {
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(timeoutMillis);
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            String writeFailure = null;
            try {
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                // the server may answer (413, 414, 431) and close before the whole request is written
                writeFailure = e.toString();
            }
            return read(socket.getInputStream(), started, writeFailure);
        } catch (SocketTimeoutException e) {
            return new Answer(Outcome.TIMEOUT, 0, "", new byte[0], millis(started), e.toString());
        } catch (IOException e) {
            return new Answer(Outcome.CLOSED, 0, "", new byte[0], millis(started), e.toString());
        }
    }

    private static long millis(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }

    private Answer read(InputStream in, long started, String writeFailure) throws IOException {
        while (true) {
            String head;
            try {
                head = readHead(in);
            } catch (SocketTimeoutException e) {
                return new Answer(Outcome.TIMEOUT, 0, "", new byte[0], millis(started), e.toString());
            } catch (IOException e) {
                return new Answer(Outcome.CLOSED, 0, "", new byte[0], millis(started),
                        e + (writeFailure != null ? " after " + writeFailure : ""));
            }
            if (head == null) {
                return new Answer(Outcome.CLOSED, 0, "", new byte[0], millis(started),
                        "end of stream" + (writeFailure != null ? " after " + writeFailure : ""));
            }
            long answered = millis(started);
            int status = status(head);
            if (status >= 100 && status < 200) {
                continue; // 100 Continue: the real answer follows
            }
            Answer partial = new Answer(Outcome.ANSWERED, status, head, new byte[0], answered, null);
            String length = partial.header("Content-Length");
            long want = BODY_PREFIX;
            if (length != null) {
                try {
                    want = Math.min(BODY_PREFIX, Long.parseLong(length));
                } catch (NumberFormatException e) {
                    want = BODY_PREFIX;
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                while (body.size() < want) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, want - body.size()));
                    if (n < 0) {
                        break;
                    }
                    body.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                return new Answer(Outcome.TIMEOUT, status, head, body.toByteArray(), millis(started),
                        "the body stalled: " + e);
            } catch (IOException e) {
                // a reset after the answer's head: the status stands
            }
            return new Answer(Outcome.ANSWERED, status, head, body.toByteArray(), answered, null);
        }
    }

    private static int status(String head) {
        String[] parts = head.split(" ", 3);
        try {
            // the protocol as the server echoes it: an unknown one ("HTTPS/1.1") comes back as it was sent
            return parts.length >= 2 && parts[0].indexOf('/') > 0 ? Integer.parseInt(parts[1]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The status line and headers, up to the blank line; null at the end of the stream before any byte. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new IOException("the answer's head ended early: "
                        + Fuzz.prefix(head.toString(StandardCharsets.ISO_8859_1), 200));
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                byte[] bytes = head.toByteArray();
                return new String(Arrays.copyOf(bytes, bytes.length - 4), StandardCharsets.ISO_8859_1);
            }
            if (head.size() > 1 << 20) {
                throw new IOException("the answer's head is longer than 1 MiB");
            }
        }
    }
}
