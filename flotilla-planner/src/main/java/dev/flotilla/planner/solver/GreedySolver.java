package dev.flotilla.planner.solver;

import dev.flotilla.planner.candidate.Candidate;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.SaturationPolicy;
import dev.flotilla.planner.model.Server;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Inferno's greedy solver for limited capacity (llm-inferno/optimizer pkg/solver/greedy.go).
 *
 * <p>Each server lists its candidates by value (cheapest move first). Servers are served in order
 * of priority, then regret: the value lost if the server cannot have its current choice (the gap
 * to its next candidate; unbounded for a last choice), then the higher value of the current choice.
 * The first server takes its current choice if the cards of that type are still free; otherwise it
 * moves on to its next candidate and goes back into the order. A server whose candidates all fail
 * is unallocated and gets a best-effort share under the saturation policy: right after its
 * priority group is served, or after all groups when {@code delayedBestEffort} is set.
 *
 * <p>Ties (equal values) keep the order in which servers and accelerators were listed; Inferno
 * breaks them by Go's map iteration order, which is random.
 */
public final class GreedySolver implements Solver {

    private final SaturationPolicy policy;
    private final boolean delayedBestEffort;

    public GreedySolver(SaturationPolicy policy, boolean delayedBestEffort) {
        this.policy = policy;
        this.delayedBestEffort = delayedBestEffort;
    }

    @Override
    public String name() {
        return "greedy";
    }

    @Override
    public Solution solve(Problem problem, Map<String, List<Candidate>> candidates) {
        Run run = new Run(problem);
        List<Entry> entries = new ArrayList<>();
        for (Server s : problem.servers()) {
            List<Candidate> list = new ArrayList<>(candidates.getOrDefault(s.name(), List.of()));
            if (list.isEmpty()) {
                run.reasons.put(s.name(), "no accelerator meets its SLOs");
                continue;
            }
            list.sort(Comparator.comparingDouble(Candidate::value));
            entries.add(new Entry(s.name(), problem.serviceClassOf(s).priority(), list));
        }
        entries.sort(ORDER);
        if (delayedBestEffort) {
            run.bestEffort(run.allocate(entries));
        } else {
            for (List<Entry> group : priorityGroups(entries)) {
                run.bestEffort(run.allocate(group));
            }
        }
        List<Allocation> allocations = new ArrayList<>();
        Map<String, String> unallocated = new LinkedHashMap<>();
        for (Server s : problem.servers()) {
            Allocation a = run.allocations.get(s.name());
            if (a != null) {
                allocations.add(a);
            } else {
                unallocated.put(s.name(), run.reasons.getOrDefault(s.name(), run.shortOf(s.name())));
            }
        }
        return new Solution(name(), allocations, unallocated);
    }

    /** Priority first (lower is served first), then larger regret, then larger current value. */
    static final Comparator<Entry> ORDER = Comparator.<Entry>comparingInt(e -> e.priority)
            .thenComparing(Comparator.<Entry>comparingDouble(e -> e.regret).reversed())
            .thenComparing(Comparator.<Entry>comparingDouble(e -> e.current().value()).reversed());

    /** Contiguous runs of equal priority of an ordered list. */
    static List<List<Entry>> priorityGroups(List<Entry> ordered) {
        Map<Integer, List<Entry>> groups = new TreeMap<>();
        for (Entry e : ordered) {
            groups.computeIfAbsent(e.priority, k -> new ArrayList<>()).add(e);
        }
        return new ArrayList<>(groups.values());
    }

    /** A server during the greedy pass: its candidates by value and the one it is trying. */
    static final class Entry {
        final String server;
        final int priority;
        final List<Candidate> candidates;
        int index;
        double regret;

        Entry(String server, int priority, List<Candidate> candidates) {
            this.server = server;
            this.priority = priority;
            this.candidates = candidates;
            this.regret = regretAt(0);
        }

        Candidate current() {
            return candidates.get(Math.min(index, candidates.size() - 1));
        }

        double regretAt(int i) {
            return i + 1 < candidates.size() ? candidates.get(i + 1).value() - candidates.get(i).value() : Double.MAX_VALUE;
        }
    }

    /** State of one solve: cards left per type and what each server got. */
    private final class Run {
        final Map<String, Integer> available;
        final Map<String, Allocation> allocations = new LinkedHashMap<>();
        final Map<String, String> reasons = new LinkedHashMap<>();
        final Map<String, Entry> failed = new LinkedHashMap<>();

        Run(Problem problem) {
            this.available = new LinkedHashMap<>(problem.capacity());
        }

        int free(String type) {
            return available.getOrDefault(type, 0);
        }

        void take(String type, int units) {
            available.put(type, free(type) - units);
        }

        /** Serves the entries in order; returns those whose candidates all failed. */
        List<Entry> allocate(List<Entry> ordered) {
            List<Entry> queue = new ArrayList<>(ordered);
            List<Entry> failed = new ArrayList<>();
            while (!queue.isEmpty()) {
                Entry top = queue.removeFirst();
                Candidate c = top.current();
                if (free(c.acceleratorType()) >= c.units()) {
                    take(c.acceleratorType(), c.units());
                    allocations.put(top.server, Allocation.of(c));
                    continue;
                }
                top.index++;
                if (top.index == top.candidates.size()) {
                    failed.add(top);
                    continue;
                }
                top.regret = top.regretAt(top.index);
                queue.add(lowerBound(queue, top), top);
            }
            return failed;
        }

        /** The first position whose entry does not come before {@code e} (before equals, as Go's BinarySearchFunc). */
        private int lowerBound(List<Entry> queue, Entry e) {
            int lo = 0;
            int hi = queue.size();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (ORDER.compare(queue.get(mid), e) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        /** Why a server that did not fit got nothing, e.g. "not enough capacity: needs 19 G2 cards (G2), 1 left". */
        String shortOf(String server) {
            Entry e = failed.get(server);
            if (e == null) {
                return "not enough capacity";
            }
            Candidate c = e.candidates.getFirst();
            return "not enough capacity: its cheapest allocation needs " + c.units() + " " + c.acceleratorType()
                    + " cards (" + c.replicas() + " x " + c.accelerator() + "), " + free(c.acceleratorType())
                    + " left" + (policy == SaturationPolicy.NONE ? "; saturation policy None gives no best-effort share"
                            : "");
        }

        void bestEffort(List<Entry> unallocated) {
            unallocated.forEach(e -> failed.put(e.server, e));
            if (unallocated.isEmpty()) {
                return;
            }
            switch (policy) {
                case NONE -> {
                }
                case PRIORITY_EXHAUSTIVE -> exhaustive(unallocated);
                case PRIORITY_ROUND_ROBIN -> priorityGroups(unallocated).forEach(this::roundRobin);
                case ROUND_ROBIN -> roundRobin(unallocated);
            }
        }

        /** One server at a time: as many replicas as fit of its first candidate with at least one free replica. */
        private void exhaustive(List<Entry> entries) {
            for (Entry e : entries) {
                for (Candidate c : e.candidates) {
                    if (c.unitsPerReplica() <= 0) {
                        continue;
                    }
                    int replicas = Math.min(free(c.acceleratorType()) / c.unitsPerReplica(), c.replicas());
                    if (replicas > 0) {
                        take(c.acceleratorType(), replicas * c.unitsPerReplica());
                        allocations.put(e.server, Allocation.bestEffort(c, replicas));
                        break;
                    }
                }
            }
        }

        /**
         * One replica per server per round, each on its first candidate that had a free replica
         * when its turn first came, until no server can take one more (or has all it needs).
         */
        private void roundRobin(List<Entry> entries) {
            Map<Entry, Candidate> chosen = new LinkedHashMap<>();
            Map<Entry, Integer> given = new LinkedHashMap<>();
            List<Entry> active = new ArrayList<>(entries);
            while (!active.isEmpty()) {
                for (Entry e : List.copyOf(active)) {
                    Candidate c = chosen.get(e);
                    if (c == null) {
                        c = firstWithFreeReplica(e);
                        if (c == null) {
                            active.remove(e);
                            continue;
                        }
                        chosen.put(e, c);
                    }
                    int n = given.getOrDefault(e, 0);
                    if (free(c.acceleratorType()) >= c.unitsPerReplica() && n < c.replicas()) {
                        take(c.acceleratorType(), c.unitsPerReplica());
                        given.put(e, n + 1);
                    } else {
                        active.remove(e);
                    }
                }
            }
            given.forEach((e, n) -> allocations.put(e.server, Allocation.bestEffort(chosen.get(e), n)));
        }

        private Candidate firstWithFreeReplica(Entry e) {
            for (Candidate c : e.candidates) {
                if (c.unitsPerReplica() > 0 && free(c.acceleratorType()) >= c.unitsPerReplica()) {
                    return c;
                }
            }
            return null;
        }
    }
}
