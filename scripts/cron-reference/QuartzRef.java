// Reference fire times for 6/7-field cron expressions from the real Quartz 2.3.2 CronExpression
// (Debian's libquartz2-java). Run as a single source file:
//   java -cp /usr/share/java/quartz2.jar scripts/cron-reference/QuartzRef.java
// Input, one request per line: EXPR <TAB> IANA-ZONE <TAB> FROM-EPOCH-MILLIS <TAB> COUNT
// Output, one line per request: "OK" followed by epoch seconds separated by spaces
// (fewer than COUNT when getTimeAfter returns null), or "ERR <message>" when Quartz
// rejects the expression.
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.TimeZone;
import org.quartz.CronExpression;

public class QuartzRef {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            String[] parts = line.split("\t");
            StringBuilder sb = new StringBuilder();
            try {
                CronExpression expression = new CronExpression(parts[0]);
                expression.setTimeZone(TimeZone.getTimeZone(parts[1]));
                Date current = new Date(Long.parseLong(parts[2]));
                int count = Integer.parseInt(parts[3]);
                sb.append("OK");
                for (int i = 0; i < count; i++) {
                    current = expression.getTimeAfter(current);
                    if (current == null) break;
                    sb.append(' ').append(current.getTime() / 1000);
                }
            } catch (Exception e) {
                sb.setLength(0);
                sb.append("ERR ").append(String.valueOf(e.getMessage()).replace('\n', ' '));
            }
            out.write(sb.toString());
            out.newLine();
        }
        out.flush();
    }
}
