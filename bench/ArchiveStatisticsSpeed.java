// Throughput of the dump readers the backup stream passes through (dump/ArchiveStatistics for BACKUP_FORMAT=custom,
// dump/DumpStatistics for plain), from files already in the page cache, three rounds each:
//   pg_dump -d DB -Fc --compress=0 | cat > X.dump; pg_dump -d DB > X.sql
//   java -cp target/classes bench/ArchiveStatisticsSpeed.java X.dump X.sql      (docs/benchmarks.md)
import java.io.*;
import java.nio.file.*;
public class ArchiveStatisticsSpeed {
  public static void main(String[] a) throws Exception {
    for (int round = 0; round < 3; round++) {
      for (String f : a) {
        long t0 = System.nanoTime();
        try (InputStream raw = new FileInputStream(f)) {
          InputStream in = f.endsWith(".dump") ? new io.pgbackup.dump.ArchiveStatistics(raw)
              : new io.pgbackup.dump.DumpStatistics(raw, true);
          byte[] buf = new byte[64 * 1024];
          while (in.read(buf) >= 0) { }
          double s = (System.nanoTime() - t0) / 1e9;
          long bytes = Files.size(Path.of(f));
          System.out.printf("%s: %.2f s, %.0f MB/s, rows %d%n", Path.of(f).getFileName(), s, bytes / s / 1e6,
              ((io.pgbackup.dump.DumpFacts) in).rows().values().stream().mapToLong(Long::longValue).sum());
        }
      }
    }
  }
}
