package io.pgbackup.report;

/** Turns an exception chain into one readable line: the outermost message plus the root cause when different. */
public final class Failures {

    private Failures() {
    }

    public static String oneLine(Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        Throwable first = unwrap(failure);
        Throwable root = first;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String line = describe(first);
        if (root != first && root.getMessage() != null && !line.contains(root.getMessage())) {
            line += " (cause: " + describe(root) + ")";
        }
        return line.replaceAll("\\s*\\R\\s*", " ");
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && (t.getMessage() == null
                || t.getClass().getName().startsWith("org.apache.camel.") && t.getClass().getSimpleName().contains("Execution"))) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
