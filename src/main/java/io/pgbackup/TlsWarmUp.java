package io.pgbackup;

import java.security.KeyStore;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads the trust store and sets up TLS on a second thread while Camel starts: every command but {@code help} talks
 * to Object Storage over HTTPS, and the store client's first connection otherwise waits for the trust store to be
 * read and parsed (a tenth of a second or more, on the thread that starts everything else). The JDK keeps what was read
 * for every later use in the process as long as something holds it: this class does, until the process ends. A
 * failure here is left for the real connection to meet and report.
 */
final class TlsWarmUp {

    private static volatile TrustManager[] held;

    private TlsWarmUp() {
    }

    static void start() {
        Thread thread = new Thread(TlsWarmUp::warmUp, "pg-backup-tls-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    private static void warmUp() {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init((KeyStore) null);
            held = trust.getTrustManagers();
            SSLContext.getInstance("TLS").init(null, held, null);
        } catch (Exception | LinkageError e) {
            held = null;
        }
    }
}
