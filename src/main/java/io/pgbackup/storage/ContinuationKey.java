package io.pgbackup.storage;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key of a continuation object: a backup larger than one object may hold (UPLOAD_MAX_PARTS parts of
 * UPLOAD_PART_SIZE) goes on in {@code KEY.part2}, {@code KEY.part3} ..., where {@code KEY} is the backup's own key
 * (its first object). A continuation key never matches the backup naming pattern ({@link BackupKey}: a backup's key
 * ends in {@code .gz}, {@code .zst} or {@code .gpg}), so nothing takes one for a backup of its own; listing, prune and
 * the incomplete-upload cleanup find the backup it belongs to with {@link #of}.
 */
public record ContinuationKey(String backupKey, int number) {

    /** Between the backup's key and the continuation's number. */
    public static final String SEPARATOR = ".part";
    /** KEY.partN, N from 2 on, without leading zeros (so one object has one name). */
    private static final Pattern PATTERN = Pattern.compile("(.+)\\.part([2-9]|[1-9]\\d{1,8})");

    /** The key of the {@code number}th object of the backup {@code backupKey} (1: the backup's key itself). */
    public static String key(String backupKey, int number) {
        if (number < 1) {
            throw new IllegalArgumentException("objects are numbered from 1, got " + number);
        }
        return number == 1 ? backupKey : backupKey + SEPARATOR + number;
    }

    /** The continuation {@code key} is, when it is one of a key that names a backup; empty for anything else. */
    public static Optional<ContinuationKey> of(String key) {
        if (key == null) {
            return Optional.empty();
        }
        Matcher matcher = PATTERN.matcher(key);
        if (!matcher.matches() || BackupKey.parseListed(matcher.group(1)).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ContinuationKey(matcher.group(1), Integer.parseInt(matcher.group(2))));
    }

    /** The backup whose object {@code key} is: its own key for a continuation, else {@code key} as it is. */
    public static String backupOf(String key) {
        return of(key).map(ContinuationKey::backupKey).orElse(key);
    }

    /** The key of this continuation object. */
    public String key() {
        return key(backupKey, number);
    }
}
