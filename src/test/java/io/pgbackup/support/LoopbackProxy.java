package io.pgbackup.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP proxy on loopback in front of a local server: it accepts connections, opens one to the server for each and
 * hands the pair to {@link #connect}, which starts the threads that copy (and misbehave). A subclass calls
 * {@link #start()} last in its constructor, so the accepting thread sees its fields set.
 */
public abstract class LoopbackProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final String name;
    private volatile boolean open = true;

    LoopbackProxy(int targetPort, String name) throws IOException {
        this.targetPort = targetPort;
        this.name = name;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /** Starts accepting; called once, at the end of the subclass's constructor. */
    protected final void start() {
        Thread acceptor = new Thread(this::accept, name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public final String endpoint() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    /** Starts the copying threads of one accepted connection. */
    protected abstract void connect(Socket client, Socket server) throws IOException;

    /** Runs one copying thread. */
    protected final void pump(Runnable copy) {
        Thread t = new Thread(copy, name + "-pump");
        t.setDaemon(true);
        t.start();
    }

    protected static void closeQuietly(Socket... sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    private void accept() {
        while (open) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                connect(client, server);
            } catch (IOException e) {
                if (!open) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        listener.close();
    }
}
