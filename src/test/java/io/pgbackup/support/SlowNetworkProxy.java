package io.pgbackup.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback in front of a real server that hands the server's answers over the way a slow network
 * does: in small pieces (1 to {@code maxPiece} bytes), each flushed on its own, with a pause before every gzip member
 * header it sees in the stream ({@code 1f 8b 08}). A reader therefore gets reads that end exactly at member
 * boundaries with nothing more available: the condition under which Java 17's GZIPInputStream ends a multi-member
 * file early (JDK-8322256). {@link #pauses()} counts the boundaries it held back at.
 */
public final class SlowNetworkProxy extends LoopbackProxy {

    private final int maxPiece;
    private final AtomicInteger pauses = new AtomicInteger();
    private final AtomicLong downstreamBytes = new AtomicLong();

    public SlowNetworkProxy(int targetPort, int maxPiece) throws IOException {
        super(targetPort, "slow-network-proxy");
        this.maxPiece = maxPiece;
        start();
    }

    /** How many times a member header was held back after a pause. */
    public int pauses() {
        return pauses.get();
    }

    /** Bytes handed from the server to the client. */
    public long downstreamBytes() {
        return downstreamBytes.get();
    }

    @Override
    protected void connect(Socket client, Socket server) throws IOException {
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        pump(client, server, false);
        pump(server, client, true);
    }

    private void pump(Socket from, Socket to, boolean slowly) {
        pump(() -> {
            byte[] buffer = new byte[64 * 1024];
            Random random = new Random(from.getLocalPort() * 31L + to.getPort());
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!slowly) {
                        out.write(buffer, 0, n);
                        out.flush();
                        continue;
                    }
                    int at = 0;
                    while (at < n) {
                        int header = nextMemberHeader(buffer, at + 1, n);
                        int end = Math.min(n, at + 1 + random.nextInt(maxPiece));
                        boolean pause = header >= 0 && header <= end;
                        if (pause) {
                            end = header;
                        }
                        out.write(buffer, at, end - at);
                        out.flush();
                        downstreamBytes.addAndGet(end - at);
                        at = end;
                        if (pause) {
                            pauses.incrementAndGet();
                            Thread.sleep(20);
                        }
                    }
                }
                to.shutdownOutput();
            } catch (IOException | InterruptedException ignored) {
                closeQuietly(from, to);
            }
        });
    }

    /** The index of the next gzip member header (1f 8b 08) in buffer[from, to), or -1. */
    private static int nextMemberHeader(byte[] buffer, int from, int to) {
        for (int i = from; i + 2 < to; i++) {
            if (buffer[i] == 0x1f && buffer[i + 1] == (byte) 0x8b && buffer[i + 2] == 8) {
                return i;
            }
        }
        return -1;
    }
}
