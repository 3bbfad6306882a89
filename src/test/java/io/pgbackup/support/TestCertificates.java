package io.pgbackup.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away certificate authority and one server certificate it signed, made with openssl at test time: the CA
 * certificate for a client's DB_SSLROOTCERT, and the server's certificate and key (PEM) for
 * {@link PostgresServer#useTls}. The server certificate names only {@code serverName} (subjectAltName DNS), so a
 * client reaching the server by any other name (127.0.0.1 say) must refuse it under sslmode=verify-full.
 */
public record TestCertificates(Path caCertificate, Path serverCertificate, Path serverKey) {

    public static TestCertificates forServerName(Path folder, String serverName) throws IOException, InterruptedException {
        Path caKey = folder.resolve("ca.key");
        Path ca = folder.resolve("ca.crt");
        Path key = folder.resolve("server.key");
        Path request = folder.resolve("server.csr");
        Path certificate = folder.resolve("server.crt");
        Path extensions = folder.resolve("server.ext");
        Files.writeString(extensions, "subjectAltName=DNS:" + serverName + "\nbasicConstraints=CA:FALSE\n"
                + "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", ca.toString(),
                "-days", "2", "-subj", "/CN=pg-backup test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", request.toString(),
                "-subj", "/CN=" + serverName);
        openssl("x509", "-req", "-in", request.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", certificate.toString(), "-days", "2", "-extfile", extensions.toString());
        return new TestCertificates(ca, certificate, key);
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add("openssl");
        argv.addAll(List.of(args));
        PostgresServer.run(argv, 60);
    }
}
