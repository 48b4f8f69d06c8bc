package dev.flotilla.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StopFilterTest {

    /** Feeds '/'-separated pieces; returns what each released, '|' joined, with '#' marking a stop. */
    private static String run(String pieces, String stops) {
        StopFilter filter = new StopFilter(Arrays.asList(stops.split(",", -1)));
        List<String> released = new ArrayList<>();
        for (String piece : pieces.split("/")) {
            StopFilter.Released r = filter.accept(piece);
            released.add(r.text() + (r.stopped() ? "#" : ""));
            if (r.stopped()) {
                return String.join("|", released);
            }
        }
        released.add(filter.flush());
        return String.join("|", released);
    }

    @ParameterizedTest(name = "{0} with stops [{1}] -> {2}")
    @CsvSource(delimiter = ';', value = {
        "a/b/c;      x;      a|b|c|",        // no stop: everything released, nothing held
        "ab/cd;      bc;     a|#",           // stop across pieces: the held 'b' is never released
        "ab/xd;      bc;     a|bxd|",        // held prefix turns out not to be a stop: released with the next piece
        "a/b.;       .;      a|b#",          // stop inside a piece: text before it
        "hello/ wor; wor,lo; hel#",          // the earliest of several stops wins
        "ab/c;       '';     ab|c|",         // an empty stop sequence is ignored
        "xy/z;       yzq;    x||yz",          // never completed: flush releases the held text at the end
    })
    void accept_pieces_releasesTextBeforeTheFirstStop(String pieces, String stops, String expected) {
        assertThat(run(pieces.strip(), stops.strip())).isEqualTo(expected.strip());
    }
}
