package io.pgbackup.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An HTTP/1.1 proxy on loopback in front of the S3 server that misbehaves on purpose, one request or response at a
 * time, the way a store or a network can after an upload has begun:
 * <ul>
 * <li>{@link #dropRequests}: a request whose request line matches is never answered: the connection is closed (a
 * store that refuses the manifest write, say);</li>
 * <li>{@link #corruptBodiesLargerThan}: a response body larger than that has one byte flipped in its middle (a GET
 * of the stored object corrupted on the way back);</li>
 * <li>{@link #failRequests}: a request whose request line matches is answered by the proxy with an S3 error (status
 * and code) and never reaches the store (a store failing one part of a multipart upload, say);</li>
 * <li>{@link #rewriteResponseHeads}: a response head is rewritten, knowing its request line (a store whose HEAD tells
 * another size or ETag than it was sent).</li>
 * </ul>
 * Every request line is kept, in order ({@link #requestLines}), so a test can tell what was sent.
 * It parses just enough HTTP to find where each request and response ends (Content-Length, chunked, 1xx, HEAD,
 * 204/304), so that it can act on one of them among many on a kept-alive connection.
 */
public final class FaultyHttpProxy extends LoopbackProxy {

    private volatile Predicate<String> dropRequests = line -> false;
    private volatile long corruptOver = Long.MAX_VALUE;
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger corrupted = new AtomicInteger();
    private volatile Predicate<String> failRequests = line -> false;
    private volatile int failStatus;
    private volatile String failCode;
    private final AtomicInteger failed = new AtomicInteger();
    private volatile java.util.function.BinaryOperator<String> rewriteHeads = (request, head) -> head;
    private final java.util.List<String> requestLines = new java.util.concurrent.CopyOnWriteArrayList<>();

    public FaultyHttpProxy(int targetPort) throws IOException {
        super(targetPort, "faulty-http-proxy");
        start();
    }

    public FaultyHttpProxy dropRequests(Predicate<String> requestLine) {
        this.dropRequests = requestLine;
        return this;
    }

    public FaultyHttpProxy corruptBodiesLargerThan(long bytes) {
        this.corruptOver = bytes;
        return this;
    }

    /** Answers a request whose request line matches with {@code status} and the S3 error {@code code}, itself. */
    public FaultyHttpProxy failRequests(Predicate<String> requestLine, int status, String code) {
        this.failStatus = status;
        this.failCode = code;
        this.failRequests = requestLine;
        return this;
    }

    /** Rewrites each final response head: {@code (requestLine, head) -> head}, CRLFs and the blank line kept. */
    public FaultyHttpProxy rewriteResponseHeads(java.util.function.BinaryOperator<String> rewrite) {
        this.rewriteHeads = rewrite;
        return this;
    }

    /** The request lines received so far, in order ("PUT /bucket/key?partNumber=2&uploadId=... HTTP/1.1"). */
    public java.util.List<String> requestLines() {
        return java.util.List.copyOf(requestLines);
    }

    public int failed() {
        return failed.get();
    }

    public int dropped() {
        return dropped.get();
    }

    public int corrupted() {
        return corrupted.get();
    }

    @Override
    protected void connect(Socket client, Socket server) {
        BlockingQueue<String> methods = new LinkedBlockingQueue<>();
        pump(() -> requests(client, server, methods));
        pump(() -> responses(server, client, methods));
    }

    private void requests(Socket client, Socket server, BlockingQueue<String> methods) {
        try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    server.shutdownOutput();
                    return;
                }
                String line = head.substring(0, head.indexOf("\r\n"));
                requestLines.add(line);
                if (failRequests.test(line)) {
                    failed.incrementAndGet();
                    answerWithError(head, in, client.getOutputStream());
                    closeQuietly(client, server);
                    return;
                }
                if (dropRequests.test(line)) {
                    dropped.incrementAndGet();
                    closeQuietly(client, server);
                    return;
                }
                methods.add(line);
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (isChunked(head)) {
                    copyChunked(in, out);
                } else {
                    copy(in, out, contentLength(head), Long.MAX_VALUE);
                }
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(client, server);
        }
    }

    private void responses(Socket server, Socket client, BlockingQueue<String> methods) {
        try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    client.shutdownOutput();
                    return;
                }
                int status = Integer.parseInt(head.substring(9, 12));
                if (status >= 100 && status < 200) {
                    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    continue;
                }
                String request = methods.poll(30, java.util.concurrent.TimeUnit.SECONDS);
                String method = request == null ? null : request.substring(0, Math.max(0, request.indexOf(' ')));
                if (request != null) {
                    head = rewriteHeads.apply(request, head);
                }
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if ("HEAD".equals(method) || status == 204 || status == 304) {
                    continue;
                }
                if (isChunked(head)) {
                    copyChunked(in, out);
                    continue;
                }
                long length = contentLength(head);
                long flipAt = length > corruptOver ? length / 2 : Long.MAX_VALUE;
                if (flipAt != Long.MAX_VALUE) {
                    corrupted.incrementAndGet();
                }
                copy(in, out, length, flipAt);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeQuietly(server, client);
        }
    }

    /**
     * Answers a request with the S3 error set by {@link #failRequests}, then the connection closes. A request that
     * waits for "100 Continue" gets the error at once (as a store may answer); otherwise its body is read first.
     */
    private void answerWithError(String head, InputStream in, OutputStream out) throws IOException {
        if (!head.toLowerCase(Locale.ROOT).contains("\r\nexpect: 100-continue")) {
            if (isChunked(head)) {
                copyChunked(in, OutputStream.nullOutputStream());
            } else {
                copy(in, OutputStream.nullOutputStream(), contentLength(head), Long.MAX_VALUE);
            }
        }
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + failCode
                + "</Code><Message>failed by the test proxy</Message><RequestId>faulty-proxy</RequestId></Error>")
                .getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + failStatus + " Proxy Failure\r\nContent-Type: application/xml\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** Copies {@code length} bytes (or to the end when unknown), flipping the byte at {@code flipAt}. */
    private static void copy(InputStream in, OutputStream out, long length, long flipAt) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long done = 0;
        while (length < 0 || done < length) {
            int want = length < 0 ? buffer.length : (int) Math.min(buffer.length, length - done);
            int n = in.read(buffer, 0, want);
            if (n < 0) {
                break;
            }
            if (flipAt >= done && flipAt < done + n) {
                buffer[(int) (flipAt - done)] ^= 0x5a;
            }
            out.write(buffer, 0, n);
            out.flush();
            done += n;
        }
    }

    /** Copies a chunked body as it is, to its last (empty) chunk and trailers. */
    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            out.write(sizeLine.getBytes(StandardCharsets.ISO_8859_1));
            String hex = sizeLine.strip();
            int semicolon = hex.indexOf(';');
            long size = Long.parseLong(semicolon < 0 ? hex : hex.substring(0, semicolon), 16);
            if (size == 0) {
                String trailer;
                do {
                    trailer = readLine(in);
                    out.write(trailer.getBytes(StandardCharsets.ISO_8859_1));
                } while (!trailer.equals("\r\n"));
                out.flush();
                return;
            }
            copy(in, out, size, Long.MAX_VALUE);
            out.write(readLine(in).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    /** One line with its CRLF. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n') {
                break;
            }
        }
        if (b < 0) {
            throw new java.io.EOFException("connection closed inside a chunked body");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** The bytes up to and including the blank line that ends a request or response head; null at the end. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring(15).strip());
            }
        }
        return 0;
    }

    private static boolean isChunked(String head) {
        return head.toLowerCase(Locale.ROOT).contains("\r\ntransfer-encoding: chunked");
    }
}
