package io.pgbackup.run;

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

    /** The first exception of {@code type} in {@code failure}'s cause chain (itself included); null when none. */
    public static <T extends Throwable> T causeOf(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && (t.getMessage() == null || isCamelWrapper(t))) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Camel's wrappers around the real failure: an execution exception, or the conversion of a body that failed
     * because reading it failed (psql's error arrives while its output is read: "No body available of type ...").
     */
    private static boolean isCamelWrapper(Throwable t) {
        String name = t.getClass().getName();
        return name.startsWith("org.apache.camel.") && (name.endsWith("ExecutionException")
                || name.endsWith("InvalidPayloadException") || name.endsWith("TypeConversionException"));
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
