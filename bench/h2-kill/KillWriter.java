import java.sql.*;

/**
 * Commits forever on an H2 file and prints each committed id after the commit returned, so
 * bench/h2-kill/run.sh can kill -9 it and check that the last printed id is in the file.
 * Args: db path, extra URL settings, optional sleep ms per commit.
 */
public class KillWriter {
  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + a[0] + ";MODE=PostgreSQL" + a[1])) {
      c.createStatement().execute("CREATE TABLE IF NOT EXISTS t(id INT PRIMARY KEY, v VARCHAR(100))");
      c.createStatement().execute("CREATE TABLE IF NOT EXISTS u(id INT PRIMARY KEY, n INT)");
      for (int i = 0; i < 50; i++) c.createStatement().execute("MERGE INTO u VALUES(" + i + ", 0)");
      ResultSet rs = c.createStatement().executeQuery("SELECT COALESCE(MAX(id),0) FROM t"); rs.next();
      int start = rs.getInt(1) + 1;
      PreparedStatement ins = c.prepareStatement("INSERT INTO t VALUES(?, 'row')");
      PreparedStatement upd = c.prepareStatement("UPDATE u SET n = n + 1 WHERE id = ?");
      for (int i = start; ; i++) {
        upd.setInt(1, i % 50); upd.executeUpdate();
        ins.setInt(1, i); ins.executeUpdate();
        System.out.println(i); System.out.flush(); if (a.length > 2) Thread.sleep(Integer.parseInt(a[2]));
      }
    }
  }
}
