// Throughput of restore --no-owner / --no-privileges (restore/OwnershipFilter) over 1 GiB of COPY rows like
// bench/lib.sh's, from memory: java -cp target/classes bench/OwnershipFilterSpeed.java  (docs/benchmarks.md)
import java.io.*;
public class OwnershipFilterSpeed {
  public static void main(String[] a) throws Exception {
    byte[] row = "123456\tcustomer-4711\t12345.67\tshipped\t2024-01-01 00:00:00+00\torder note 0123456789abcdef0123456789abcdef 0123456789ab\t{\"items\": 3, \"sku\": \"SKU-1\"}\n".getBytes();
    long target = 1L << 30;
    InputStream src = new InputStream() {
      long sent; int pos; boolean header;
      byte[] head = "COPY public.orders (id, customer, amount, status, ordered_at, note, detail) FROM stdin;\n".getBytes();
      public int read() { throw new UnsupportedOperationException(); }
      public int read(byte[] b, int off, int len) {
        if (!header) { header = true; System.arraycopy(head, 0, b, off, head.length); return head.length; }
        if (sent >= target) return -1;
        int n = 0;
        while (n < len) { int c = Math.min(len - n, row.length - pos); System.arraycopy(row, pos, b, off + n, c); pos = (pos + c) % row.length; n += c; }
        sent += n; return n;
      }
    };
    {
      InputStream in = src;
      InputStream f = new io.pgbackup.restore.OwnershipFilter(in, true, true);
      byte[] buf = new byte[64 * 1024]; long total = 0; long t0 = System.nanoTime();
      for (int n; (n = f.read(buf, 0, buf.length)) >= 0; ) total += n;
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("filtered %.2f GB in %.2f s: %.0f MB/s%n", total / 1e9, s, total / 1e6 / s);
    }
  }
}
