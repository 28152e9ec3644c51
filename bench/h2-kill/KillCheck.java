import java.sql.*;

/** Prints ok when row {@code id} (args: db path, id) is in the H2 file, else LOST. */
public class KillCheck {
  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + a[0] + ";MODE=PostgreSQL")) {
      ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM t WHERE id = " + a[1]); rs.next();
      System.out.println(rs.getInt(1) == 1 ? "ok" : "LOST " + a[1]);
    }
  }
}
