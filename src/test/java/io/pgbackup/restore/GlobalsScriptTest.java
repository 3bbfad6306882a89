package io.pgbackup.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The roles script, statement by statement: what is about an existing role or tablespace goes whole. */
@Timeout(30)
class GlobalsScriptTest {

    static String filtered(String script, int[] counts) throws IOException {
        GlobalsScript.Filtered filter = new GlobalsScript.Filtered(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)),
                Set.of("existing", "Mixed \"Case\""), Set.of("fast_disk"), counts);
        return OwnershipFilterTest.filtered(filter, 7);
    }

    /**
     * A multi-line comment on an existing role holding SQL (its quote doubled, as pg_dumpall writes it): left out
     * whole, none of its lines runs; a new role's statements stay, whatever their strings hold.
     */
    @Test
    void aMultiLineCommentOnAnExistingRoleGoesWhole() throws IOException {
        int[] counts = new int[4];
        String script = "CREATE ROLE existing;\nALTER ROLE existing WITH NOSUPERUSER LOGIN;\n"
                + "COMMENT ON ROLE existing IS 'line one\n''; CREATE ROLE evil SUPERUSER LOGIN; --\nlast';\n"
                + "CREATE ROLE newcomer;\nALTER ROLE newcomer WITH LOGIN;\n"
                + "COMMENT ON ROLE newcomer IS 'a\n''; DROP ROLE x; --';\n"
                + "CREATE ROLE \"Mixed \"\"Case\"\"\";\nCREATE TABLESPACE fast_disk OWNER existing LOCATION '/x';\n"
                + "GRANT newcomer TO existing GRANTED BY postgres;\n";

        assertThat(filtered(script, counts)).isEqualTo("CREATE ROLE newcomer;\nALTER ROLE newcomer WITH LOGIN;\n"
                + "COMMENT ON ROLE newcomer IS 'a\n''; DROP ROLE x; --';\n"
                + "GRANT newcomer TO existing GRANTED BY postgres;\n");
        assertThat(counts).containsExactly(1, 2, 0, 1);
    }

    /** A role statement longer than the filter would hold is still left out whole: the name decides, not the length. */
    @Test
    void aLongStatementAboutAnExistingRoleGoesWholeWithoutBeingHeld() throws IOException {
        String script = "COMMENT ON ROLE existing IS '" + "x\n".repeat(1024 * 1024) + "''; CREATE ROLE evil SUPERUSER; --';\nSELECT 1;\n";
        assertThat(filtered(script, new int[4])).isEqualTo("SELECT 1;\n");
    }
}
