import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A minimal HTTP/1.1 client on one keep-alive connection: requests written whole, responses read whole. */
final class BenchHttp implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String host;
    private final StringBuilder head = new StringBuilder(512);
    private final StringBuilder line = new StringBuilder(256);
    private byte[] body = new byte[64 * 1024];
    private int bodyLength;
    private boolean closeAfter;

    BenchHttp(int port) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(120_000);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        host = "127.0.0.1:" + port;
    }

    /** One request on a new connection; -1 when nothing listens yet. */
    static int once(int port, String method, String path, byte[] body) {
        try (BenchHttp http = new BenchHttp(port)) {
            return http.send(method, path, body);
        } catch (IOException e) {
            return -1;
        }
    }

    int send(String method, String path, byte[] content) throws IOException {
        if (closeAfter) {
            throw new IOException("the server closed the connection");
        }
        head.setLength(0);
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(host)
                .append("\r\nAuthorization: Bearer bench\r\nAccept: application/json\r\n");
        if (content != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n");
        } else if (!method.equals("GET")) {
            head.append("Content-Length: 0\r\n");
        }
        head.append("\r\n");
        for (int i = 0; i < head.length(); i++) {
            out.write(head.charAt(i));
        }
        if (content != null) {
            out.write(content);
        }
        out.flush();
        return read(method.equals("HEAD"));
    }

    private int read(boolean head) throws IOException {
        String status = readLine();
        if (status == null || !status.startsWith("HTTP/1.")) {
            throw new IOException("no HTTP response: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        String h;
        while ((h = readLine()) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                closeAfter = true;
            }
        }
        bodyLength = 0;
        if (head || code == 204 || code == 304) {
            return code;
        }
        if (chunked) {
            while (true) {
                String size = readLine();
                int semi = size.indexOf(';');
                int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                readBody(n);
                readLine();
            }
        } else if (length >= 0) {
            readBody((int) length);
        } else {
            throw new IOException("a response without a length");
        }
        return code;
    }

    private void readBody(int n) throws IOException {
        if (bodyLength + n > body.length) {
            body = Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + n));
        }
        int read = in.readNBytes(body, bodyLength, n);
        if (read < n) {
            throw new IOException("the response body ended early");
        }
        bodyLength += n;
    }

    private String readLine() throws IOException {
        line.setLength(0);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int l = line.length();
                if (l > 0 && line.charAt(l - 1) == '\r') {
                    line.setLength(l - 1);
                }
                return line.toString();
            }
            line.append((char) c);
        }
        if (line.length() == 0) {
            throw new IOException("the connection closed");
        }
        return line.toString();
    }

    byte[] bodyBytes() {
        return Arrays.copyOf(body, bodyLength);
    }

    String bodyText() {
        String s = new String(body, 0, bodyLength, StandardCharsets.UTF_8);
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }
}
