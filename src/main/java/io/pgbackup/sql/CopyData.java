package io.pgbackup.sql;

/**
 * The data of a {@code COPY ... FROM stdin;} as psql reads it from the script: from the line after the statement's
 * own, one row a line, up to a line that is exactly {@code \.} (or {@code \.\r}). A row is skipped with the
 * eight-bytes-a-step newline search once its first bytes show it is not that line.
 */
final class CopyData {

    private String table;
    private long rows;
    private boolean headerLine;
    private int rowLength;
    private final byte[] head = new byte[3];

    void start(String copyTable) {
        table = copyTable;
        rows = 0;
        headerLine = true;
    }

    /** Reads {@code buffer[from, to)}; returns the index just past the data's end line, or -1 when the data goes on. */
    int scan(byte[] buffer, int from, int to) {
        int i = from;
        if (headerLine) { // the rest of the COPY's own line
            int newline = ByteSearch.indexOf(buffer, i, to, (byte) '\n');
            if (newline < 0) {
                return -1;
            }
            i = newline + 1;
            headerLine = false;
            rowLength = 0;
        }
        while (i < to) {
            byte c = buffer[i];
            if (rowLength > head.length) {
                int newline = ByteSearch.indexOf(buffer, i, to, (byte) '\n');
                if (newline < 0) {
                    return -1;
                }
                i = newline;
                c = '\n';
            }
            i++;
            if (c != '\n') {
                if (rowLength < head.length) {
                    head[rowLength] = c;
                }
                rowLength++;
            } else if (rowLength >= 2 && head[0] == '\\' && head[1] == '.' && (rowLength == 2 || rowLength == 3 && head[2] == '\r')) {
                return i;
            } else {
                rows++;
                rowLength = 0;
            }
        }
        return -1;
    }

    String table() {
        return table;
    }

    long rows() {
        return rows;
    }
}
