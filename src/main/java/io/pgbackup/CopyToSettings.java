package io.pgbackup;

import java.util.List;
import java.util.Set;

import io.pgbackup.settings.InvalidSettingException;
import io.pgbackup.settings.LiteralEnvironment;
import io.pgbackup.settings.SettingsDeclaration;

import org.apache.camel.CamelContext;

/**
 * The second destination's settings (COPY_TO_*) and the {@code --from primary|copy} option of list, verify, prune and
 * restore. The copy is on when COPY_TO_BUCKET is set; a group that is half set names the first missing setting
 * (exit 2). {@code --from copy} makes the whole command work on the copy store: the Object Storage endpoint, bucket
 * and key prefix every route and helper reads become the copy's, before any route is made.
 */
public final class CopyToSettings {

    /** The commands that take --from. */
    public static final Set<String> FROM_COMMANDS = Set.of("list", "verify", "prune", "restore");
    /** The settings that say a copy is wanted (besides COPY_TO_BUCKET). */
    private static final List<String> GROUP = List.of("copy.to.endpoint", "copy.to.access.key", "copy.to.secretKey",
            "copy.to.secret.id");

    private CopyToSettings() {
    }

    /** --from: primary (the default) or copy, for the commands that read the stored backups. */
    public static String from(io.pgbackup.cli.CommandLine command) {
        String from = command.option("from", "primary");
        if (command.has("from") && !FROM_COMMANDS.contains(command.name())) {
            throw new IllegalArgumentException("option --from is for the list, verify, prune and restore commands only");
        }
        if (!from.equals("primary") && !from.equals("copy")) {
            throw new IllegalArgumentException("--from: '" + from + "' is not primary or copy");
        }
        return from;
    }

    /**
     * The settings a command with {@code --from copy} works with: the copy store's endpoint (its own client), bucket
     * and prefix in place of the primary's. Called with the settings loaded, before they are checked.
     */
    public static void derived(CamelContext context) {
        if (!"copy".equals(internal(context, "storage.from"))) {
            return;
        }
        if (value(context, "copy.to.bucket").isEmpty()) {
            throw new InvalidSettingException("COPY_TO_BUCKET", "is not set, and --from copy reads the copy"
                    + " store");
        }
        org.apache.camel.spi.PropertiesComponent properties = context.getPropertiesComponent();
        properties.addOverrideProperty("object.storage.uri", LiteralEnvironment.escape(internal(context, "copy.to.uri")));
        properties.addOverrideProperty("bucket.name", LiteralEnvironment.escape(value(context, "copy.to.bucket")));
        // the primary's prefix stays known: a --key of the primary names the same backup in the copy
        properties.addOverrideProperty("storage.primary.prefix", LiteralEnvironment.escape(value(context, "backup.prefix")));
        properties.addOverrideProperty("backup.prefix", LiteralEnvironment.escape(value(context, "copy.to.prefix")));
    }

    /** Half-set groups: COPY_TO_BUCKET with no endpoint or keys, or copy settings without COPY_TO_BUCKET. */
    public static void check(CamelContext context, String command) {
        boolean bucket = !value(context, "copy.to.bucket").isEmpty();
        if (!bucket) {
            for (String key : GROUP) {
                if (!value(context, key).isEmpty()) {
                    throw new InvalidSettingException("COPY_TO_BUCKET", "is not set, but "
                            + variable(key) + " is: set COPY_TO_BUCKET for a copy in a second store, or unset the COPY_TO_* settings");
                }
            }
            return;
        }
        if (value(context, "copy.to.endpoint").isEmpty()) {
            throw new InvalidSettingException("COPY_TO_ENDPOINT", "is not set, and COPY_TO_BUCKET is: the"
                    + " copy store's S3 endpoint is needed");
        }
        boolean secretId = !value(context, "copy.to.secret.id").isEmpty();
        boolean secretKey = !value(context, "copy.to.secretKey").isEmpty();
        if (secretId && secretKey) {
            throw new InvalidSettingException("COPY_TO_SECRET_KEY / COPY_TO_SECRET_ID", "set one of them, not both");
        }
        if (!secretId && !secretKey) {
            throw new InvalidSettingException("COPY_TO_SECRET_KEY (or COPY_TO_SECRET_ID)", "is not set, and"
                    + " COPY_TO_BUCKET is: the copy store's keys are needed");
        }
        if (!secretId && value(context, "copy.to.access.key").isEmpty()) {
            throw new InvalidSettingException("COPY_TO_ACCESS_KEY", "is not set, and COPY_TO_BUCKET is: the"
                    + " copy store's access key is needed");
        }
        if (secretId && (value(context, "ncp.access.key").isEmpty() || value(context, "ncp.secretKey").isEmpty())) {
            throw new InvalidSettingException("ACCESS_KEY / SECRET_KEY", "both are needed to read"
                    + " COPY_TO_SECRET_ID from Secret Manager");
        }
        if (Set.of("service", "backup", "check-managed").contains(command)) {
            // two uploads at once: twice the part buffers
            SettingsCheck.partSizeFitsTheHeap(2 * Long.parseLong(value(context, "upload.part.size")),
                    Runtime.getRuntime().maxMemory());
        }
    }

    private static String variable(String key) {
        return SettingsDeclaration.builtIn().get(key).variable();
    }

    /** A property the app sets itself (not a setting: no environment variable). */
    static String internal(CamelContext context, String key) {
        return context.resolvePropertyPlaceholders("{{" + key + ":}}").trim();
    }

    private static String value(CamelContext context, String key) {
        return SettingsDeclaration.value(context, key);
    }
}
