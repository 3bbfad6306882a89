package io.pgbackup.storage;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.Failures;

import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upload stage with a second destination (COPY_TO_BUCKET): the one stream of the one dump goes to the primary
 * store and to the copy store at once, each through its own {@link StreamingUpload} (its own multipart upload, part
 * checks, abort on failure and HEAD check), fed by a {@link StreamTee}. Without a copy it is the primary's upload alone.
 * <p>
 * The copy's outcome never stops the primary's upload: it is recorded (exchange property {@value #COPY}) and acted on
 * after the primary's manifest is written (copy-to.yaml: {@link CopyStep}). A failure of the primary fails the stage
 * as before, once the copy has finished; the copy's object is then kept.
 */
public class TeeUpload {

    /** Exchange property: the copy's {@link Copy} (its key and exchange, or its failure). */
    public static final String COPY = "copyUpload";

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.upload");
    /** 1 MiB blocks queued for each store: how far one store may run ahead of the other. */
    private static final int QUEUED_BLOCKS = 8;

    private StreamingUpload primary;
    private StreamingUpload copy;
    private CopyStore copyStore;

    /** The outcome of the copy: its key, and the exchange its upload filled (ETag, hashes) or its failure. */
    public record Copy(String key, Exchange exchange, Throwable failure) {
    }

    public void upload(Exchange exchange) throws Exception {
        exchange.removeProperty(COPY);
        if (!copyStore.isOnBesidePrimary()) {
            primary.upload(exchange);
            return;
        }
        StreamTee tee = new StreamTee(exchange.getMessage().getMandatoryBody(java.io.InputStream.class), QUEUED_BLOCKS);
        String copyKey = copyStore.keyOf(exchange.getMessage().getHeader(AWS2S3Constants.KEY, String.class));
        Exchange copyExchange = exchange.copy();
        DatabaseRun.of(exchange).copyInto(copyExchange);
        copyExchange.getMessage().setHeader(AWS2S3Constants.KEY, copyKey);
        copyExchange.getMessage().setBody(tee.second());
        exchange.getMessage().setBody(tee.first());
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "pg-backup-copy");
            t.setDaemon(true);
            return t;
        });
        try {
            threads.execute(tee);
            Future<?> copied = threads.submit(() -> {
                copy.upload(copyExchange);
                return null;
            });
            Exception primaryFailure = null;
            try {
                primary.upload(exchange);
            } catch (Exception e) {
                primaryFailure = e;
            }
            Throwable copyFailure = null;
            try {
                copied.get();
            } catch (java.util.concurrent.ExecutionException e) {
                copyFailure = e.getCause();
            }
            exchange.setProperty(COPY, new Copy(copyKey, copyExchange, copyFailure));
            if (copyFailure != null) {
                LOG.warn("the copy of {} to {} FAILED: {}", DatabaseRun.of(exchange).databaseOr("?"), copyStore.describe(),
                        Failures.oneLine(copyFailure));
            }
            if (primaryFailure != null) {
                if (copyFailure == null) {
                    LOG.warn("the primary store failed; {} keeps its object {} (without a manifest: restore --from copy"
                            + " --key names it)", copyStore.describe(), copyKey);
                }
                throw primaryFailure;
            }
        } finally {
            threads.shutdownNow();
            threads.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    public void setPrimary(StreamingUpload primary) {
        this.primary = primary;
    }

    public void setCopy(StreamingUpload copy) {
        this.copy = copy;
    }

    public void setCopyStore(CopyStore copyStore) {
        this.copyStore = copyStore;
    }
}
