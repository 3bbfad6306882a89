package io.pgbackup.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class whose every {@link PgBackupProcess#run} goes through the shipped launcher (bin/pg-backup, a JVM of its
 * own with -Xmx200m and a clean environment) instead of in this JVM: say why in {@link #value}. For one command only,
 * {@link PgBackupProcess#throughLauncher()}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface OnLauncher {

    /** Why this class needs the launcher's process (its heap bound, its argv, its environment, its working folder). */
    String value();
}
