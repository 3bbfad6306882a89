package io.pgbackup.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The stream's format, decided once: the key's suffix and the object's content type both come from it. */
class StreamFormatTest {

    @Test
    void aPlainGzipBackupIsSqlGzAndApplicationGzip() {
        StreamFormat format = new StreamFormat("plain", "gzip", "gz", 6, false);
        assertThat(format.keySuffix()).isEqualTo(".sql.gz");
        assertThat(format.contentType()).isEqualTo("application/gzip");
    }

    @Test
    void anEncryptedArchiveIsDumpZstGpgAndPgpEncrypted() {
        StreamFormat format = new StreamFormat("custom", "zstd", "zst", 3, true);
        assertThat(format.keySuffix()).isEqualTo(".dump.zst.gpg");
        assertThat(format.contentType()).isEqualTo("application/pgp-encrypted");
    }

    @Test
    void eachDatabaseRunIsItsOwnAndACopyDoesNotWriteBackIntoIt() {
        org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(
                new org.apache.camel.impl.DefaultCamelContext());
        DatabaseRun shop = DatabaseRun.start(exchange, "shop");
        shop.setKey("2026/12/01/shop_20261201020000.sql.gz");
        org.apache.camel.Exchange copy = exchange.copy();
        shop.copyInto(copy);
        DatabaseRun.of(copy).setKey("copy/2026/12/01/shop_20261201020000.sql.gz");

        assertThat(DatabaseRun.of(exchange).key()).isEqualTo("2026/12/01/shop_20261201020000.sql.gz");
        assertThat(DatabaseRun.start(exchange, "orders")).isNotSameAs(shop);
        assertThat(DatabaseRun.of(exchange).database()).isEqualTo("orders");
    }
}
