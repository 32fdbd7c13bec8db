import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Build step that makes skipped tests visible: run by the Maven build with the JDK's source launcher, once per
 * module.
 *
 * <pre>
 *   java tools/SkippedTests.java TARGET_DIR MODULE
 * </pre>
 *
 * <p>Reads the Surefire and Failsafe XML reports written since {@code TARGET_DIR/test-run-start} (which the build
 * touches before the tests run; older reports belong to earlier builds) and prints, for each reason a test was
 * skipped or aborted by an assumption (no chromium, no story model under {@code -Dchatserver.sharedModels=DIR},
 * ...), how many tests of which classes it skipped. Prints nothing when no test was skipped.
 */
public class SkippedTests {

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        Path mark = target.resolve("test-run-start");
        String module = args.length > 1 ? args[1] : target.toAbsolutePath().getParent().getFileName().toString();
        FileTime since = Files.exists(mark) ? Files.getLastModifiedTime(mark) : FileTime.fromMillis(0);
        // reason -> class simple name -> skipped tests
        Map<String, Map<String, Integer>> skipped = new LinkedHashMap<>();
        int total = 0;
        for (Path report : reports(target, since)) {
            NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile())
                    .getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                Element testcase = (Element) cases.item(i);
                NodeList skips = testcase.getElementsByTagName("skipped");
                if (skips.getLength() == 0) continue;
                String reason = reason((Element) skips.item(0));
                String className = testcase.getAttribute("classname");
                String simple = className.substring(className.lastIndexOf('.') + 1);
                skipped.computeIfAbsent(reason, r -> new LinkedHashMap<>()).merge(simple, 1, Integer::sum);
                total++;
            }
        }
        if (total == 0) return;
        System.out.println("SKIPPED TESTS in " + module + ": " + total + (total == 1 ? " test was" : " tests were")
                + " skipped, so this build checked less than it could:");
        skipped.forEach((reason, classes) -> {
            List<String> where = new ArrayList<>();
            classes.forEach((name, count) -> where.add(name + (count > 1 ? " ×" + count : "")));
            System.out.println("  " + String.join(", ", where) + ": " + reason.replaceAll("\\s*\\R\\s*", " "));
        });
    }

    /**
     * @return the skip's message, else the first line of the exception it holds (an assumption that failed), without
     *         the exception's class and JUnit's "Assumption failed:"
     */
    private static String reason(Element skip) {
        String reason = skip.getAttribute("message").strip();
        if (reason.isEmpty()) reason = skip.getTextContent().strip().split("\\R", 2)[0];
        reason = reason.replaceFirst("^[\\w.$]+(Exception|Error): ", "").replaceFirst("^Assumption failed: ", "");
        return reason.isBlank() ? "no reason given" : reason;
    }

    private static List<Path> reports(Path target, FileTime since) throws IOException {
        List<Path> found = new ArrayList<>();
        for (String dir : List.of("surefire-reports", "failsafe-reports")) {
            Path reports = target.resolve(dir);
            if (!Files.isDirectory(reports)) continue;
            try (Stream<Path> files = Files.list(reports)) {
                for (Path file : files.sorted().toList()) {
                    String name = file.getFileName().toString();
                    if (name.startsWith("TEST-") && name.endsWith(".xml")
                            && Files.getLastModifiedTime(file).compareTo(since) >= 0) {
                        found.add(file);
                    }
                }
            }
        }
        return found;
    }
}
