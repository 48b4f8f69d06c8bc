package dev.flotilla.planner.fit;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.planner.fit.Sample.Phase;
import dev.flotilla.planner.model.PlannerInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads measured samples for {@link PerfFitter} from CSV or JSON Lines (docs/planner.md,
 * "Fitting"). Both have the fields {@code phase} ({@code prefill} or {@code decode}),
 * {@code batch}, {@code in_tokens}, {@code out_tokens} and {@code time_ms} ({@code inTokens},
 * {@code outTokens}, {@code timeMs} are accepted too):
 *
 * <pre>
 * phase,batch,in_tokens,out_tokens,time_ms
 * prefill,8,512,256,81.8
 * decode,8,512,256,37.7
 * </pre>
 *
 * <pre>
 * {"phase": "prefill", "batch": 8, "in_tokens": 512, "out_tokens": 256, "time_ms": 81.8}
 * </pre>
 *
 * A CSV starts with a header naming its columns; lines starting with {@code #} and blank lines are
 * skipped. {@code in_tokens} is required for prefill samples; {@code out_tokens} only by the
 * iteration model. Every problem is reported at once with its file and line.
 */
public final class SampleReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ALIASES = Map.of("intokens", "in_tokens", "outtokens", "out_tokens",
            "timems", "time_ms");

    private SampleReader() {
    }

    /** Reads a {@code .csv} as CSV and anything else whose first character is {@code &#123;} as JSON Lines. */
    public static List<Sample> read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new PlannerInputException(file + ": no such file");
        } catch (IOException e) {
            throw new PlannerInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        boolean csv = name.toLowerCase(Locale.ROOT).endsWith(".csv") || !text.strip().startsWith("{");
        return csv ? parseCsv(text, name) : parseJsonLines(text, name);
    }

    /** CSV with a header; {@code source} names it in messages. */
    public static List<Sample> parseCsv(String text, String source) {
        List<String> problems = new ArrayList<>();
        List<Sample> out = new ArrayList<>();
        String[] lines = text.split("\\R", -1);
        String[] header = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split(",", -1);
            for (int c = 0; c < cells.length; c++) {
                cells[c] = unquote(cells[c].strip());
            }
            String where = source + ":" + (i + 1);
            if (header == null) {
                header = new String[cells.length];
                for (int c = 0; c < cells.length; c++) {
                    header[c] = canonical(cells[c]);
                }
                for (String required : new String[] {"phase", "batch", "time_ms"}) {
                    if (!List.of(header).contains(required)) {
                        throw new PlannerInputException(where + ": header " + String.join(",", cells) + " has no column "
                                + required + " (expected columns: phase,batch,in_tokens,out_tokens,time_ms)");
                    }
                }
                continue;
            }
            if (cells.length != header.length) {
                problems.add(where + ": " + cells.length + " fields (expected: " + header.length + ", as the header)");
                continue;
            }
            Map<String, String> row = new HashMap<>();
            for (int c = 0; c < cells.length; c++) {
                if (!cells[c].isEmpty()) {
                    row.put(header[c], cells[c]);
                }
            }
            Sample s = sample(row, where, problems);
            if (s != null) {
                out.add(s);
            }
        }
        return finish(out, problems, source);
    }

    /** One JSON object per line; {@code source} names it in messages. */
    public static List<Sample> parseJsonLines(String text, String source) {
        List<String> problems = new ArrayList<>();
        List<Sample> out = new ArrayList<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + ":" + (i + 1);
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JacksonException e) {
                problems.add(where + ": not valid JSON (" + e.getOriginalMessage() + ")");
                continue;
            }
            if (node == null || !node.isObject()) {
                problems.add(where + ": " + line + " (expected: a JSON object)");
                continue;
            }
            Map<String, String> row = new HashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getValue().isNull()) {
                    row.put(canonical(f.getKey()), f.getValue().asText());
                }
            }
            Sample s = sample(row, where, problems);
            if (s != null) {
                out.add(s);
            }
        }
        return finish(out, problems, source);
    }

    private static List<Sample> finish(List<Sample> samples, List<String> problems, String source) {
        if (!problems.isEmpty()) {
            throw new PlannerInputException(problems);
        }
        if (samples.isEmpty()) {
            throw new PlannerInputException(source + ": no samples (expected: a line per measured prefill or decode step)");
        }
        return samples;
    }

    private static Sample sample(Map<String, String> row, String where, List<String> problems) {
        int before = problems.size();
        String phaseText = row.get("phase");
        Phase phase = null;
        if (phaseText == null) {
            problems.add(where + ": phase: missing (expected: prefill or decode)");
        } else if (phaseText.equalsIgnoreCase("prefill")) {
            phase = Phase.PREFILL;
        } else if (phaseText.equalsIgnoreCase("decode")) {
            phase = Phase.DECODE;
        } else {
            problems.add(where + ": phase: \"" + phaseText + "\" (expected: prefill or decode)");
        }
        double batch = number(row, "batch", where, problems, true, 1, true);
        double in = number(row, "in_tokens", where, problems, phase == Phase.PREFILL, 0, false);
        double out = number(row, "out_tokens", where, problems, false, 0, false);
        double time = number(row, "time_ms", where, problems, true, 0, false);
        if (row.containsKey("time_ms") && problems.size() == before && !(time > 0)) {
            problems.add(where + ": time_ms: " + row.get("time_ms") + " (expected: > 0)");
        }
        return problems.size() == before ? new Sample(phase, (int) batch, in, out, time) : null;
    }

    private static double number(Map<String, String> row, String key, String where, List<String> problems,
            boolean required, double min, boolean whole) {
        String text = row.get(key);
        if (text == null) {
            if (required) {
                problems.add(where + ": " + key + ": missing");
            }
            return 0;
        }
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            problems.add(where + ": " + key + ": \"" + text + "\" (expected: a number)");
            return 0;
        }
        if (!Double.isFinite(v) || v < min || whole && v != Math.rint(v)) {
            problems.add(where + ": " + key + ": " + text + " (expected: " + (whole ? "a whole number" : "a number")
                    + " >= " + (long) min + ")");
            return 0;
        }
        return v;
    }

    private static String canonical(String key) {
        String k = key.strip().toLowerCase(Locale.ROOT);
        return ALIASES.getOrDefault(k, k);
    }

    private static String unquote(String cell) {
        return cell.length() >= 2 && cell.startsWith("\"") && cell.endsWith("\"") ? cell.substring(1, cell.length() - 1)
                : cell;
    }
}
