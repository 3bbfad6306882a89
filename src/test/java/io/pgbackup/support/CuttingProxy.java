package io.pgbackup.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback in front of a real server that cuts connections mid-transfer, like a network that fails
 * during an upload: once armed, any connection that sends more than {@code cutAfterBytes} upstream is closed
 * abruptly. Small requests (an abort, a listing) still pass, so the client can clean up behind itself.
 */
public final class CuttingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final long cutAfterBytes;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicInteger cuts = new AtomicInteger();
    private volatile boolean open = true;

    public CuttingProxy(int targetPort, long cutAfterBytes) throws IOException {
        this.targetPort = targetPort;
        this.cutAfterBytes = cutAfterBytes;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "cutting-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    public void arm() {
        armed.set(true);
    }

    public int cuts() {
        return cuts.get();
    }

    private void accept() {
        while (open) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                pump(client, server, true);
                pump(server, client, false);
            } catch (IOException e) {
                if (!open) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean upstream) {
        Thread t = new Thread(() -> {
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
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "cutting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        listener.close();
    }
}
