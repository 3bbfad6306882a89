package io.pgbackup.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback in front of a real server that cuts connections mid-transfer, like a network that fails
 * during an upload: once armed, any connection that sends more than {@code cutAfterBytes} upstream is closed
 * abruptly. Small requests (an abort, a listing) still pass, so the client can clean up behind itself.
 */
public final class CuttingProxy extends LoopbackProxy {

    private final long cutAfterBytes;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicInteger cuts = new AtomicInteger();

    public CuttingProxy(int targetPort, long cutAfterBytes) throws IOException {
        super(targetPort, "cutting-proxy");
        this.cutAfterBytes = cutAfterBytes;
        start();
    }

    public void arm() {
        armed.set(true);
    }

    public int cuts() {
        return cuts.get();
    }

    @Override
    protected void connect(Socket client, Socket server) {
        pump(client, server, true);
        pump(server, client, false);
    }

    private void pump(Socket from, Socket to, boolean upstream) {
        pump(() -> {
            byte[] buffer = new byte[16 * 1024];
            long sent = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    sent += n;
                    if (upstream && armed.get() && sent > cutAfterBytes) {
                        cuts.incrementAndGet();
                        from.setSoLinger(true, 0);
                        to.setSoLinger(true, 0);
                        from.close();
                        to.close();
                        return;
                    }
                }
                to.shutdownOutput();
            } catch (IOException ignored) {
                closeQuietly(from, to);
            }
        });
    }
}
