package io.pgbackup.ncp;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgbackup.run.Durations;
import io.pgbackup.storage.BackupCatalog;
import io.pgbackup.storage.BackupKey;

import org.apache.camel.Exchange;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads NCP Cloud DB for PostgreSQL's own backup list (getCloudPostgresqlBackupDetailList, paged) and decides
 * whether the managed backup is stale: its newest backup ended longer ago than MANAGED_BACKUP_MAX_AGE, there is
 * none, or the API answered an error. Also tells whether pg-backup's own newest backup is recent enough that
 * no extra backup is needed (a key dated more than an hour after now is never that backup).
 */
public class ManagedBackupCheck {

    public static final String URL = NcpApiGatewaySigner.URL_PROPERTY;
    public static final String MORE = "managedListMore";
    public static final String STALE = "managedBackupStale";
    public static final String SUMMARY = "managedBackupSummary";
    private static final String PAGE = "managedListPage";
    private static final String SEEN = "managedListSeen";
    private static final String NEWEST = "managedNewestEnd";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE_SIZE = 100;
    private static final int MAX_PAGES = 1000;
    private static final DateTimeFormatter NCP_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSS]XX");

    private String apiUrl;
    private String instanceNo = "";
    private String region;
    private Duration maxAge;
    private String timezone;

    /** Sets the signed URL of the next page; query parameters in alphabetical order, as they are sent. */
    public void nextPage(Exchange exchange) {
        int page = exchange.getProperty(PAGE, -1, Integer.class) + 1;
        if (page >= MAX_PAGES) {
            throw new IllegalStateException("Cloud DB backup list exceeded " + MAX_PAGES + " pages");
        }
        exchange.setProperty(PAGE, page);
        exchange.setProperty(URL, apiUrl + "/vpostgresql/v2/getCloudPostgresqlBackupDetailList"
                + "?cloudPostgresqlInstanceNo=" + instanceNo + "&pageNo=" + page + "&pageSize=" + PAGE_SIZE
                + "&regionCode=" + region + "&responseFormatType=json");
    }

    /** Reads one page: keeps the newest end time, and whether more pages remain. */
    public void collectPage(Exchange exchange) throws IOException {
        JsonNode root;
        try (InputStream body = exchange.getMessage().getBody(InputStream.class)) {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("Cloud DB API answered something that is not JSON");
        }
        JsonNode response = root == null ? null : root.get("getCloudPostgresqlBackupDetailListResponse");
        if (response == null) {
            throw new IllegalStateException("Cloud DB API answer has no getCloudPostgresqlBackupDetailListResponse");
        }
        String returnCode = response.path("returnCode").asText("");
        if (!"0".equals(returnCode)) {
            throw new IllegalStateException("Cloud DB API returnCode " + returnCode + ": "
                    + response.path("returnMessage").asText(""));
        }
        int total = response.path("totalRows").asInt(0);
        JsonNode list = response.path("cloudPostgresqlBackupDetailList");
        int seen = exchange.getProperty(SEEN, 0, Integer.class) + list.size();
        exchange.setProperty(SEEN, seen);
        OffsetDateTime newest = exchange.getProperty(NEWEST, OffsetDateTime.class);
        for (JsonNode backup : list) {
            String end = backup.path("endTime").asText("");
            try {
                OffsetDateTime ended = OffsetDateTime.parse(end, NCP_TIME);
                if (newest == null || ended.isAfter(newest)) {
                    newest = ended;
                }
            } catch (DateTimeParseException e) {
                throw new IllegalStateException("Cloud DB backup " + backup.path("fileName").asText("?")
                        + " has an unreadable endTime '" + end + "'");
            }
        }
        if (newest != null) {
            exchange.setProperty(NEWEST, newest);
        }
        exchange.setProperty(MORE, list.size() > 0 && seen < total);
    }

    /** Decides STALE and writes a one-line SUMMARY naming the instance and the age. */
    public void assess(Exchange exchange) {
        OffsetDateTime newest = exchange.getProperty(NEWEST, OffsetDateTime.class);
        String instance = "Cloud DB instance " + instanceNo;
        if (newest == null) {
            exchange.setProperty(STALE, true);
            exchange.setProperty(SUMMARY, instance + " has no managed backup at all");
            return;
        }
        Duration age = Duration.between(newest.toInstant(), Instant.now());
        boolean stale = age.compareTo(maxAge) > 0;
        exchange.setProperty(STALE, stale);
        exchange.setProperty(SUMMARY, instance + ": newest managed backup ended " + Durations.human(age) + " ago ("
                + newest + ")" + (stale ? ", older than MANAGED_BACKUP_MAX_AGE " + Durations.human(maxAge) : ""));
    }

    /** Records an API failure as a stale managed backup. */
    public void failed(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        exchange.setProperty(STALE, true);
        exchange.setProperty(SUMMARY, "Cloud DB instance " + instanceNo + ": the managed backup could not be checked ("
                + (cause == null ? "unknown error" : cause.getMessage()) + ")");
    }

    /** True when pg-backup's own newest backup (from the list route) started within MANAGED_BACKUP_MAX_AGE. */
    @SuppressWarnings("unchecked")
    public boolean ownBackupIsRecent(Exchange exchange) {
        List<S3Object> backups = exchange.getMessage().getBody(List.class);
        if (backups == null || backups.isEmpty()) {
            return false;
        }
        ZoneId zone = ZoneId.of(timezone);
        Instant now = Instant.now();
        // newest first; a key dated more than FUTURE_SKEW after now (a bucket writer's, a clock jump) is no recent backup
        for (int i = backups.size() - 1; i >= 0; i--) {
            BackupKey backup = BackupKey.parseListed(backups.get(i).key()).orElse(null);
            if (backup == null || BackupCatalog.isFuture(backup, zone, now)) {
                continue;
            }
            return Duration.between(backup.time().atZone(zone).toInstant(), now).compareTo(maxAge) <= 0;
        }
        return false;
    }

    public void setApiUrl(String apiUrl) {
        this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    }

    public void setInstanceNo(String instanceNo) {
        this.instanceNo = instanceNo;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public void setMaxAge(String maxAge) {
        try {
            this.maxAge = Durations.parse(maxAge);
        } catch (RuntimeException e) {
            // reported by the settings check, which names MANAGED_BACKUP_MAX_AGE
            this.maxAge = Duration.ofHours(26);
        }
    }

    public void setTimezone(String timezone) {
        this.timezone = timezone;
    }
}
